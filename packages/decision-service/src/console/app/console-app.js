// The operator console (served at /console; docs/operators.md "The console"). Plain JavaScript
// with Lit, bundled by esbuild (sources) or rollup (`stepgate.standalone`), so the browser code
// stays out of the service's Node type-check. Every call goes to /console/api/* with the session
// cookie and the `Stepgate-Console: 1` header; the admin key never reaches this script again
// after sign-in.
import { css, html, LitElement, nothing } from 'lit';
import uPlot from 'uplot';

/** Series colours of the chart, each with a text label beside it (never colour alone). */
const COLOURS = { allow: '#1d6b2f', step_up: '#b35c00', deny: '#a4161a', invalid_request: '#5b5f66' };

const TEXT = {
  en: {
    title: 'Stepgate console',
    signIn: 'Sign in',
    adminKey: 'Admin API key',
    signInHelp: 'The key is exchanged for a session cookie; it is not stored in this browser.',
    signOut: 'Sign out',
    language: 'Français',
    nav: 'Console pages',
    backtest: 'Backtest',
    audit: 'Audit',
    policiesPage: 'Policies',
    overview: 'Overview',
    decisionsChart: (w) => `Decisions per ${w} by outcome`,
    minute: (s) => (s === 60 ? 'minute' : `${s} s`),
    total: 'Decisions',
    latency: 'Decision latency (this process)',
    auditHealth: 'Audit log',
    healthy: (n) => `writing (${n} records)`,
    failing: 'FAILING: decisions are withheld',
    reportOnlyTitle: 'Report-only policies: what they would have done',
    wouldBe: 'Would have',
    noReportOnly: 'No report-only outcome in this window.',
    refresh: 'Refresh',
    reportOnly: 'report-only',
    fraudHeader: 'Fraud caught',
    legitHeader: 'Legitimate challenged',
    methods: 'Challenges by method',
    noChallenge: 'No challenge was started in this window.',
    candidate: 'Candidate policy (YAML or JSON)',
    window: 'Window',
    days: (n) => `last ${n} day${n > 1 ? 's' : ''}`,
    run: 'Run the backtest',
    running: 'Replaying…',
    summary: (d, r, n) => `${d} decisions, ${r} replayable, ${n} not replayable`,
    outcome: 'Outcome',
    now: 'Now',
    withCandidate: 'With the candidate',
    change: 'Change',
    transitions: 'Transitions',
    noTransition: 'The candidate decides every replayable decision the same way.',
    examples: 'Examples',
    count: 'Decisions',
    policies: 'Policies',
    policy: 'Policy',
    matched: 'Matched',
    stepUpRate: 'Step-up rate',
    denyRate: 'Deny rate',
    labels: 'Feedback labels',
    fraudStopped: (l, n, c) => `Fraud: ${l} labelled, stopped ${n} now, ${c} with the candidate`,
    legitChallenged: (l, n, c) => `Legitimate: ${l} labelled, challenged ${n} now, ${c} with the candidate`,
    friction: 'Friction',
    perThousand: (n, c) => `Challenges per 1,000 decisions: ${n} now, ${c} with the candidate`,
    completion: (m, rate, median) => `${m}: ${rate} completed, median ${median}`,
    abandoned: (n) => `Abandoned challenges over the window: ${n}`,
    user: 'User',
    outcomeFilter: 'Outcome',
    any: 'any',
    search: 'Search',
    noRecord: 'No record matches.',
    asked: (who, what) => `${who} asked to ${what}`,
    decided: 'Outcome',
    from: 'From',
    why: 'Why',
    signals: 'Signals',
    signal: 'Signal',
    value: 'Value',
    markFraud: 'Mark as fraud',
    markLegit: 'Mark as legitimate',
    marked: (label) => `Marked as ${label}.`,
    history: (u) => `${u}'s recent history`,
    error: 'Error',
  },
  fr: {
    title: 'Console Stepgate',
    signIn: 'Se connecter',
    adminKey: 'Clé d’API administrateur',
    signInHelp: 'La clé est échangée contre un cookie de session ; elle n’est pas gardée dans ce navigateur.',
    signOut: 'Se déconnecter',
    language: 'English',
    nav: 'Pages de la console',
    backtest: 'Rejeu',
    audit: 'Journal',
    policiesPage: 'Politiques',
    overview: 'Vue d’ensemble',
    decisionsChart: (w) => `Décisions par ${w} selon le résultat`,
    minute: (s) => (s === 60 ? 'minute' : `${s} s`),
    total: 'Décisions',
    latency: 'Latence de décision (ce processus)',
    auditHealth: 'Journal d’audit',
    healthy: (n) => `en écriture (${n} enregistrements)`,
    failing: 'EN ÉCHEC : les décisions sont retenues',
    reportOnlyTitle: 'Politiques en observation : ce qu’elles auraient fait',
    wouldBe: 'Aurait',
    noReportOnly: 'Aucun résultat en observation sur cette période.',
    refresh: 'Actualiser',
    reportOnly: 'observation seule',
    fraudHeader: 'Fraudes arrêtées',
    legitHeader: 'Légitimes vérifiées',
    methods: 'Vérifications par méthode',
    noChallenge: 'Aucune vérification commencée sur cette période.',
    candidate: 'Politique candidate (YAML ou JSON)',
    window: 'Période',
    days: (n) => `${n} dernier${n > 1 ? 's' : ''} jour${n > 1 ? 's' : ''}`,
    run: 'Lancer le rejeu',
    running: 'Rejeu en cours…',
    summary: (d, r, n) => `${d} décisions, ${r} rejouables, ${n} non rejouables`,
    outcome: 'Résultat',
    now: 'Actuel',
    withCandidate: 'Avec la candidate',
    change: 'Écart',
    transitions: 'Transitions',
    noTransition: 'La candidate décide chaque décision rejouable de la même façon.',
    examples: 'Exemples',
    count: 'Décisions',
    policies: 'Politiques',
    policy: 'Politique',
    matched: 'Déclenchée',
    stepUpRate: 'Taux de vérification',
    denyRate: 'Taux de refus',
    labels: 'Retours (fraude / légitime)',
    fraudStopped: (l, n, c) => `Fraude : ${l} signalées, arrêtées ${n} aujourd’hui, ${c} avec la candidate`,
    legitChallenged: (l, n, c) =>
      `Légitimes : ${l} signalées, vérifiées ${n} aujourd’hui, ${c} avec la candidate`,
    friction: 'Friction',
    perThousand: (n, c) => `Vérifications pour 1 000 décisions : ${n} aujourd’hui, ${c} avec la candidate`,
    completion: (m, rate, median) => `${m} : ${rate} menées à bien, médiane ${median}`,
    abandoned: (n) => `Vérifications abandonnées sur la période : ${n}`,
    user: 'Utilisateur',
    outcomeFilter: 'Résultat',
    any: 'tous',
    search: 'Rechercher',
    noRecord: 'Aucun enregistrement.',
    asked: (who, what) => `${who} a demandé ${what}`,
    decided: 'Résultat',
    from: 'Depuis',
    why: 'Pourquoi',
    signals: 'Signaux',
    signal: 'Signal',
    value: 'Valeur',
    markFraud: 'Signaler une fraude',
    markLegit: 'Signaler comme légitime',
    marked: (label) => `Signalé : ${label}.`,
    history: (u) => `Historique récent de ${u}`,
    error: 'Erreur',
  },
};

const OUTCOMES = ['allow', 'step_up', 'deny'];
const pct = (x) => (x === null || x === undefined ? '—' : `${(x * 100).toFixed(1)} %`);

async function api(method, path, body) {
  const res = await fetch(`/console/api/${path}`, {
    method,
    credentials: 'same-origin',
    headers: {
      'stepgate-console': '1',
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

export class StepgateConsole extends LitElement {
  static properties = {
    lang: { state: true },
    signedIn: { state: true },
    page: { state: true },
    busy: { state: true },
    error: { state: true },
    report: { state: true },
    current: { state: true },
    overviewData: { state: true },
    records: { state: true },
    notice: { state: true },
  };

  static styles = css`
    :host { display: block; max-width: 72rem; margin: 0 auto; padding: 1rem; overflow-wrap: break-word; hyphens: none; }
    .ids { word-break: break-all; }
    header { display: flex; flex-wrap: wrap; gap: 0.75rem; align-items: center; justify-content: space-between; }
    h1 { font-size: 1.4rem; margin: 0.5rem 0; }
    h2 { font-size: 1.15rem; margin: 1.5rem 0 0.5rem; }
    nav ul { display: flex; gap: 0.5rem; list-style: none; padding: 0; margin: 0; }
    button, select, input, textarea { font: inherit; }
    button { border: 1px solid #1f4fd1; background: #1f4fd1; color: #fff; border-radius: 0.5rem; padding: 0.45rem 0.9rem; cursor: pointer; }
    button.secondary { background: #fff; color: #1f4fd1; }
    button[aria-current='page'] { background: #0b2f8a; border-color: #0b2f8a; }
    button:focus-visible, input:focus-visible, textarea:focus-visible, select:focus-visible { outline: 3px solid #f2a900; outline-offset: 2px; }
    label { display: block; font-weight: 600; margin: 0.75rem 0 0.25rem; }
    input, textarea, select { border: 1px solid #6b7480; border-radius: 0.4rem; padding: 0.45rem; background: #fff; color: #1b1f24; }
    textarea { width: 100%; box-sizing: border-box; min-height: 12rem; font-family: ui-monospace, monospace; }
    .card { background: #fff; border: 1px solid #d5d9df; border-radius: 0.75rem; padding: 1rem; margin: 1rem 0; }
    .help { color: #4a525c; margin: 0.25rem 0; }
    .error { color: #a4161a; font-weight: 600; }
    .ok { color: #1d6b2f; font-weight: 600; }
    table { border-collapse: collapse; width: 100%; }
    th, td { text-align: left; padding: 0.35rem 0.5rem; border-bottom: 1px solid #e3e6ea; vertical-align: top; }
    td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
    .row { display: flex; flex-wrap: wrap; gap: 1rem; align-items: end; }
    .ids { font-family: ui-monospace, monospace; font-size: 0.85rem; }
    .outcome-deny { color: #a4161a; font-weight: 600; }
    .outcome-step_up { color: #8a4b00; font-weight: 600; }
    .outcome-allow { color: #1d6b2f; font-weight: 600; }
    .tiles { display: flex; flex-wrap: wrap; gap: 1.5rem; }
    .tiles p { font-size: 1.3rem; margin: 0.25rem 0 0; }
    .legend { display: flex; flex-wrap: wrap; gap: 1rem; list-style: none; padding: 0; }
    .swatch { display: inline-block; width: 0.9rem; height: 0.9rem; border-radius: 0.2rem; margin-right: 0.35rem; vertical-align: middle; }
    #chart { width: 100%; overflow: hidden; }
    .uplot, .u-wrap { position: relative; }
    .u-wrap { user-select: none; }
    .u-over, .u-under, .u-axis { position: absolute; }
    .u-select { position: absolute; background: rgba(0, 0, 0, 0.07); pointer-events: none; }
    .u-cursor-x, .u-cursor-y { position: absolute; left: 0; top: 0; pointer-events: none; will-change: transform; }
    .u-hz .u-cursor-x, .u-vt .u-cursor-y { height: 100%; border-right: 1px dashed #607d8b; }
    .u-hz .u-cursor-y, .u-vt .u-cursor-x { width: 100%; border-bottom: 1px dashed #607d8b; }
    .u-cursor-pt { position: absolute; top: 0; left: 0; border-radius: 50%; border: 0 solid; pointer-events: none; background-clip: padding-box !important; }
    .u-axis-label { font-weight: 600; }
    .link { background: none; border: none; color: #1f4fd1; text-decoration: underline; padding: 0; }
  `;

  constructor() {
    super();
    this.lang = (navigator.language || 'en').toLowerCase().startsWith('fr') ? 'fr' : 'en';
    this.signedIn = undefined;
    this.page = 'overview';
    this.busy = false;
    this.error = '';
    this.report = undefined;
    this.current = undefined;
    this.overviewData = undefined;
    this.chart = undefined;
    this.records = undefined;
    this.notice = '';
    this.candidate = '';
    this.days = 7;
  }

  get t() {
    return TEXT[this.lang];
  }

  connectedCallback() {
    super.connectedCallback();
    document.documentElement.lang = this.lang;
    api('GET', 'policies/fields').then(
      (r) => {
        this.signedIn = r.status === 200;
        if (this.signedIn) this.loadOverview();
      },
      () => {
        this.signedIn = false;
      },
    );
  }

  setLang() {
    this.lang = this.lang === 'fr' ? 'en' : 'fr';
    document.documentElement.lang = this.lang;
    document.title = this.t.title;
  }

  async signIn(event) {
    event.preventDefault();
    const form = event.target;
    const key = new FormData(form).get('key');
    this.error = '';
    const res = await fetch('/console/session', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', 'stepgate-console': '1' },
      body: JSON.stringify({ key }),
    });
    if (res.status === 204) {
      form.reset(); // the key leaves the page
      this.signedIn = true;
      this.loadOverview();
    } else {
      const body = await res.json().catch(() => ({}));
      this.error = body.error?.message ?? String(res.status);
    }
  }

  async signOut() {
    await fetch('/console/session', { method: 'DELETE', headers: { 'stepgate-console': '1' } });
    this.signedIn = false;
    this.report = undefined;
    this.records = undefined;
    this.overviewData = undefined;
  }

  async runBacktest(event) {
    event.preventDefault();
    const form = new FormData(event.target);
    this.candidate = String(form.get('candidate'));
    this.days = Number(form.get('days'));
    this.busy = true;
    this.error = '';
    try {
      const res = await api('POST', 'backtests', { policy: this.candidate, since: `${this.days}d` });
      if (res.status === 200) this.report = res.body;
      else this.error = res.body?.error?.message ?? String(res.status);
    } finally {
      this.busy = false;
    }
  }

  async loadOverview(event) {
    event?.preventDefault();
    if (event) this.days = Number(new FormData(event.target).get('days'));
    const res = await api('GET', `overview?since=${this.days}d`);
    if (res.status === 200) this.overviewData = res.body;
    else this.error = res.body?.error?.message ?? String(res.status);
  }

  updated() {
    const box = this.renderRoot.querySelector('#chart');
    const o = this.overviewData;
    if (!box || !o) {
      this.chart?.destroy();
      this.chart = undefined;
      return;
    }
    if (this.chart && this.chart.__data === o) return;
    this.chart?.destroy();
    const names = ['allow', 'step_up', 'deny', 'invalid_request'];
    this.chart = new uPlot(
      {
        width: Math.max(300, box.clientWidth),
        height: 260,
        legend: { show: false },
        series: [{}, ...names.map((n) => ({ label: n, stroke: COLOURS[n], width: 2 }))],
        axes: [{}, { label: this.t.total }],
      },
      [o.series.time, ...names.map((n) => o.series[n])],
      box,
    );
    this.chart.__data = o;
  }

  async loadPolicies(event) {
    event?.preventDefault();
    if (event) this.days = Number(new FormData(event.target).get('days'));
    this.busy = true;
    try {
      // No candidate: the report of what the policies in force do over the window.
      const res = await api('POST', 'backtests', { since: `${this.days}d` });
      if (res.status === 200) this.current = res.body;
      else this.error = res.body?.error?.message ?? String(res.status);
    } finally {
      this.busy = false;
    }
  }

  async searchAudit(event) {
    event?.preventDefault();
    const form = event ? new FormData(event.target) : new FormData();
    const params = new URLSearchParams({ limit: '50', type: 'decision' });
    const user = String(form.get('user') ?? this.auditUser ?? '').trim();
    const decision = String(form.get('decision') ?? '');
    this.auditUser = user;
    if (user) params.set('user', user);
    if (decision) params.set('decision', decision);
    const res = await api('GET', `audit?${params}`);
    if (res.status === 200) this.records = res.body.records;
    else this.error = res.body?.error?.message ?? String(res.status);
  }

  async feedback(decisionId, label) {
    const res = await api('POST', `decisions/${decisionId}/feedback`, { label });
    this.notice =
      res.status === 204 ? this.t.marked(label) : (res.body?.error?.message ?? String(res.status));
  }

  showUser(userId) {
    this.auditUser = userId;
    this.page = 'audit';
    this.updateComplete.then(() => {
      const input = this.renderRoot.querySelector('#audit-user');
      if (input) input.value = userId;
      return this.searchAudit();
    });
  }

  render() {
    const t = this.t;
    return html`
      <header>
        <h1>${t.title}</h1>
        <div class="row">
          <button class="secondary" lang=${this.lang === 'fr' ? 'en' : 'fr'} @click=${this.setLang}>${t.language}</button>
          ${this.signedIn ? html`<button class="secondary" @click=${this.signOut}>${t.signOut}</button>` : nothing}
        </div>
      </header>
      <main>
        ${this.signedIn === false ? this.renderSignIn() : nothing}
        ${this.signedIn ? this.renderPages() : nothing}
      </main>
    `;
  }

  renderSignIn() {
    const t = this.t;
    return html`<form class="card" @submit=${this.signIn}>
      <h2>${t.signIn}</h2>
      <label for="key">${t.adminKey}</label>
      <input id="key" name="key" type="password" autocomplete="off" required size="40" />
      <p class="help">${t.signInHelp}</p>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      <button type="submit">${t.signIn}</button>
    </form>`;
  }

  renderPages() {
    const t = this.t;
    const tab = (id, name) =>
      html`<li><button aria-current=${this.page === id ? 'page' : 'false'} @click=${() => {
        this.page = id;
        this.error = '';
        if (id === 'audit' && !this.records) this.searchAudit();
        if (id === 'policies') this.loadPolicies();
        if (id === 'overview') this.loadOverview();
      }}>${name}</button></li>`;
    const pages = {
      overview: () => this.renderOverview(),
      backtest: () => this.renderBacktest(),
      policies: () => this.renderPolicies(),
      audit: () => this.renderAudit(),
    };
    return html`
      <nav aria-label=${t.nav}><ul>${tab('overview', t.overview)}${tab('policies', t.policiesPage)}${tab('backtest', t.backtest)}${tab('audit', t.audit)}</ul></nav>
      ${this.error ? html`<p class="error" role="alert">${t.error}: ${this.error}</p>` : nothing}
      ${pages[this.page]()}
    `;
  }

  renderBacktest() {
    const t = this.t;
    const r = this.report;
    return html`
      <h2>${t.backtest}</h2>
      <form class="card" @submit=${this.runBacktest}>
        <label for="candidate">${t.candidate}</label>
        <textarea id="candidate" name="candidate" required spellcheck="false" .value=${this.candidate}></textarea>
        <div class="row">
          ${this.windowSelect()}
          <button type="submit" ?disabled=${this.busy}>${this.busy ? t.running : t.run}</button>
        </div>
      </form>
      ${r ? this.renderReport(r) : nothing}
    `;
  }

  renderReport(r) {
    const t = this.t;
    const num = (n) => n.toLocaleString(this.lang);
    return html`
      <section class="card" aria-labelledby="summary">
        <h2 id="summary">${t.summary(num(r.decisions), num(r.replayable), num(r.notReplayable.count))}</h2>
        <table>
          <thead><tr><th scope="col">${t.outcome}</th><th scope="col" class="num">${t.now}</th><th scope="col" class="num">${t.withCandidate}</th><th scope="col" class="num">${t.change}</th></tr></thead>
          <tbody>${OUTCOMES.map((o) => {
            const d = r.candidate.outcomes[o] - r.now.outcomes[o];
            return html`<tr><th scope="row" class="outcome-${o}">${o}</th><td class="num">${num(r.now.outcomes[o])}</td><td class="num">${num(r.candidate.outcomes[o])}</td><td class="num">${d > 0 ? '+' : ''}${num(d)}</td></tr>`;
          })}</tbody>
        </table>
      </section>
      <section class="card" aria-labelledby="transitions">
        <h2 id="transitions">${t.transitions}</h2>
        ${
          r.transitions.length === 0
            ? html`<p>${t.noTransition}</p>`
            : html`<table>
              <thead><tr><th scope="col">${t.transitions}</th><th scope="col" class="num">${t.count}</th><th scope="col">${t.examples}</th></tr></thead>
              <tbody>${r.transitions.map(
                (x) =>
                  html`<tr><th scope="row" data-transition="${x.from}→${x.to}">${x.from}→${x.to}</th><td class="num">${num(x.count)}</td><td class="ids">${x.examples.join(' ')}</td></tr>`,
              )}</tbody></table>`
        }
      </section>
      <section class="card" aria-labelledby="policies">
        <h2 id="policies">${t.policies}</h2>
        <table>
          <thead><tr><th scope="col">${t.policy}</th><th scope="col" class="num">${t.matched} (${t.now} → ${t.withCandidate})</th><th scope="col" class="num">${t.stepUpRate}</th><th scope="col" class="num">${t.denyRate}</th></tr></thead>
          <tbody>${r.policies.map(
            (p) => html`<tr><th scope="row">${p.policyId}</th>
              <td class="num">${p.now ? num(p.now.matched) : '—'} → ${p.candidate ? num(p.candidate.matched) : '—'}</td>
              <td class="num">${pct(p.now?.stepUpRate)} → ${pct(p.candidate?.stepUpRate)}</td>
              <td class="num">${pct(p.now?.denyRate)} → ${pct(p.candidate?.denyRate)}</td></tr>`,
          )}</tbody>
        </table>
      </section>
      <section class="card" aria-labelledby="labels">
        <h2 id="labels">${t.labels}</h2>
        <p data-label="fraud">${t.fraudStopped(num(r.labels.fraud.labelled), num(r.labels.fraud.stoppedNow), num(r.labels.fraud.stoppedCandidate))}</p>
        <p data-label="legit">${t.legitChallenged(num(r.labels.legit.labelled), num(r.labels.legit.challengedNow), num(r.labels.legit.challengedCandidate))}</p>
      </section>
      <section class="card" aria-labelledby="friction">
        <h2 id="friction">${t.friction}</h2>
        <p>${t.perThousand(r.friction.now.challengesPer1000.toFixed(1), r.friction.candidate.challengesPer1000.toFixed(1))}</p>
        <ul>${Object.entries(r.friction.methods).map(
          ([m, f]) =>
            html`<li>${t.completion(m, pct(f.completionRate), f.medianSeconds === null ? '—' : `${f.medianSeconds} s`)}</li>`,
        )}</ul>
        ${r.friction.abandonedChange === null ? nothing : html`<p>${t.abandoned(Math.round(r.friction.abandonedChange))}</p>`}
      </section>
    `;
  }

  renderOverview() {
    const t = this.t;
    const o = this.overviewData;
    const num = (n) => n.toLocaleString(this.lang);
    const ms = (s) => (s === null ? '—' : `${(s * 1000).toFixed(1)} ms`);
    const all = o ? Object.values(o.totals).reduce((a, b) => a + b, 0) : 0;
    return html`
      <h2>${t.overview}</h2>
      <form class="card row" @submit=${this.loadOverview}>
        ${this.windowSelect()}
        <button type="submit">${t.refresh}</button>
      </form>
      ${
        o
          ? html`<section class="card tiles">
              <div><strong>${t.total}</strong><p data-tile="total">${num(all)}</p></div>
              <div><strong>${t.stepUpRate}</strong><p data-tile="step-up">${pct(o.stepUpRate)}</p></div>
              <div><strong>${t.denyRate}</strong><p data-tile="deny">${pct(o.denyRate)}</p></div>
              <div><strong>${t.latency}</strong><p>p50 ${ms(o.latency.p50)} · p99 ${ms(o.latency.p99)}</p></div>
              <div><strong>${t.auditHealth}</strong><p class=${o.audit.healthy ? 'ok' : 'error'}>${o.audit.healthy ? t.healthy(num(o.audit.records)) : t.failing}</p></div>
            </section>
            <section class="card" aria-labelledby="chart-title">
              <h2 id="chart-title">${t.decisionsChart(t.minute(o.stepSeconds))}</h2>
              <ul class="legend">${Object.entries(COLOURS).map(
                ([n, c]) =>
                  html`<li><span class="swatch" style="background:${c}"></span>${n}: ${num(o.totals[n] ?? 0)}</li>`,
              )}</ul>
              <div id="chart" role="img" aria-label=${`${t.decisionsChart(t.minute(o.stepSeconds))}: ${Object.entries(
                o.totals,
              )
                .map(([k, v]) => `${k} ${v}`)
                .join(', ')}`}></div>
            </section>
            <section class="card" aria-labelledby="report-only">
              <h2 id="report-only">${t.reportOnlyTitle}</h2>
              ${
                o.reportOnly.length === 0
                  ? html`<p>${t.noReportOnly}</p>`
                  : html`<table><thead><tr><th scope="col">${t.policy}</th><th scope="col">${t.wouldBe}</th><th scope="col" class="num">${t.count}</th></tr></thead>
                    <tbody>${o.reportOnly.map((r) => html`<tr><th scope="row">${r.policyId}</th><td>${r.decision}</td><td class="num">${num(r.count)}</td></tr>`)}</tbody></table>`
              }
            </section>`
          : nothing
      }
    `;
  }

  windowSelect() {
    const t = this.t;
    return html`<div>
      <label for="days">${t.window}</label>
      <select id="days" name="days" .value=${String(this.days)}>
        ${[1, 7, 30, 90].map((n) => html`<option value=${n} ?selected=${n === this.days}>${t.days(n)}</option>`)}
      </select>
    </div>`;
  }

  renderPolicies() {
    const t = this.t;
    const r = this.current;
    const num = (n) => n.toLocaleString(this.lang);
    return html`
      <h2>${t.policiesPage}</h2>
      <form class="card row" @submit=${this.loadPolicies}>
        ${this.windowSelect()}
        <button type="submit" ?disabled=${this.busy}>${t.refresh}</button>
      </form>
      ${
        r
          ? html`<section class="card" aria-labelledby="in-force">
              <h2 id="in-force">${t.summary(num(r.decisions), num(r.replayable), num(r.notReplayable.count))}</h2>
              <table>
                <thead><tr><th scope="col">${t.policy}</th><th scope="col" class="num">${t.matched}</th><th scope="col" class="num">${t.stepUpRate}</th><th scope="col" class="num">${t.denyRate}</th><th scope="col" class="num">${t.fraudHeader}</th><th scope="col" class="num">${t.legitHeader}</th></tr></thead>
                <tbody>${r.policies
                  .filter((p) => p.now)
                  .map(
                    (
                      p,
                    ) => html`<tr data-policy=${p.policyId}><th scope="row">${p.policyId}${p.now.reportOnly ? html` <small>(${t.reportOnly})</small>` : nothing}</th>
                      <td class="num">${num(p.now.matched)}</td><td class="num">${pct(p.now.stepUpRate)}</td><td class="num">${pct(p.now.denyRate)}</td>
                      <td class="num" data-col="fraud">${num(p.now.fraudCaught)}</td><td class="num" data-col="legit">${num(p.now.legitChallenged)}</td></tr>`,
                  )}</tbody>
              </table>
            </section>
            <section class="card" aria-labelledby="methods">
              <h2 id="methods">${t.methods}</h2>
              ${Object.keys(r.friction.methods).length === 0 ? html`<p>${t.noChallenge}</p>` : nothing}
              <ul>${Object.entries(r.friction.methods).map(
                ([m, f]) =>
                  html`<li>${t.completion(m, pct(f.completionRate), f.medianSeconds === null ? '—' : `${f.medianSeconds} s`)}</li>`,
              )}</ul>
            </section>`
          : nothing
      }
    `;
  }

  renderAudit() {
    const t = this.t;
    return html`
      <h2>${t.audit}</h2>
      <form class="card row" @submit=${this.searchAudit}>
        <div><label for="audit-user">${t.user}</label><input id="audit-user" name="user" .value=${this.auditUser ?? ''} /></div>
        <div><label for="audit-decision">${t.outcomeFilter}</label>
          <select id="audit-decision" name="decision"><option value="">${t.any}</option>${OUTCOMES.map((o) => html`<option value=${o}>${o}</option>`)}</select></div>
        <button type="submit">${t.search}</button>
      </form>
      ${this.notice ? html`<p class="ok" role="status">${this.notice}</p>` : nothing}
      ${this.records?.length === 0 ? html`<p>${t.noRecord}</p>` : nothing}
      ${(this.records ?? []).map((rec) => this.renderRecord(rec.event))}
    `;
  }

  renderRecord(e) {
    const t = this.t;
    const when = new Date(e.time).toLocaleString(this.lang);
    const where = [e.where?.ip, e.where?.country].filter(Boolean).join(', ');
    const signals = Object.entries(e.signals ?? {});
    return html`<article class="card" data-decision=${e.decisionId}>
      <h3>${t.asked(e.who?.userId ?? '?', e.what?.action ?? '?')}</h3>
      <p>${when} · ${t.decided}: <span class="outcome-${e.outcome}">${e.outcome}</span>${where ? html` · ${t.from} ${where}` : nothing}</p>
      ${
        e.reasons?.length
          ? html`<p>${t.why}: ${e.reasons.map((r) => `${r.policyId} (${r.detail ?? r.code})`).join('; ')}</p>`
          : nothing
      }
      ${
        signals.length
          ? html`<table><caption>${t.signals}</caption><thead><tr><th scope="col">${t.signal}</th><th scope="col">${t.value}</th></tr></thead>
            <tbody>${signals.map(([k, v]) => html`<tr><td>${k}</td><td>${typeof v === 'object' ? JSON.stringify(v) : String(v)}</td></tr>`)}</tbody></table>`
          : nothing
      }
      <div class="row">
        <button class="secondary" @click=${() => this.feedback(e.decisionId, 'fraud')}>${t.markFraud}</button>
        <button class="secondary" @click=${() => this.feedback(e.decisionId, 'legit')}>${t.markLegit}</button>
        ${e.who?.userId ? html`<button class="link" @click=${() => this.showUser(e.who.userId)}>${t.history(e.who.userId)}</button>` : nothing}
      </div>
    </article>`;
  }
}

customElements.define('stepgate-console', StepgateConsole);
