import { plain } from '../api.js';
import type { Me } from '../app.js';
import { h } from '../dom.js';

interface AuditEvent {
  time: string;
  type: string;
  outcome?: string;
  who?: { userId?: string };
  what?: { action?: string; method?: string; level?: string };
  where?: { ip?: string; country?: string };
  reasons?: Array<{ policyId: string; code: string; values?: Record<string, unknown> }>;
  risk?: { score: number; level: string };
  signals?: Record<string, unknown>;
  reportOnly?: Array<{ policyId: string; decision: string }>;
}

const json = (v: unknown) => (v === undefined ? '' : JSON.stringify(v));

/** The audit log (`GET /v1/audit`, through the bank's server with the admin key), newest first. */
export async function renderAudit(section: HTMLElement, _me: Me): Promise<void> {
  const body = (await plain('/api/demo/audit')) as {
    available?: boolean;
    records?: Array<{ seq: number; event: AuditEvent }>;
    consoleUrl?: string;
  };
  section.append(h('h2', {}, 'Audit log'));
  if (body.consoleUrl) {
    section.append(
      h(
        'p',
        { className: 'console-link' },
        'Operators read this log, its charts and backtests in the ',
        h('a', { href: body.consoleUrl, target: '_blank', rel: 'noopener' }, 'operator console'),
        ' (sign in with the admin key the demo printed in its terminal).',
      ),
    );
  }
  if (!body.available) {
    section.append(h('p', {}, 'This decision service has no audit log yet.'));
    return;
  }
  const rows = (body.records ?? []).map(({ seq, event: e }) =>
    h(
      'tr',
      { 'data-type': e.type, 'data-outcome': e.outcome ?? '' },
      h(
        'td',
        {},
        String(seq),
        h('br'),
        h('span', { className: 'muted' }, new Date(e.time).toLocaleTimeString()),
      ),
      h('td', {}, e.type, h('br'), h('strong', {}, e.outcome ?? '')),
      h('td', {}, e.who?.userId ?? '', h('br'), e.what?.action ?? e.what?.method ?? ''),
      h('td', {}, `${e.where?.ip ?? ''} ${e.where?.country ?? ''}`),
      h(
        'td',
        { className: 'reasons' },
        ...(e.reasons ?? []).map((r) => h('div', {}, `${r.policyId}: ${r.code} ${json(r.values)}`)),
        ...(e.reportOnly ?? []).map((r) =>
          h('div', { 'data-report-only': r.policyId }, `report-only ${r.policyId}: would ${r.decision}`),
        ),
      ),
      h(
        'td',
        {},
        e.risk ? `${e.risk.score} ${e.risk.level}` : '',
        h('br'),
        h('span', { className: 'muted' }, json(e.signals)),
      ),
    ),
  );
  section.append(
    h(
      'table',
      { 'data-testid': 'audit' },
      h(
        'thead',
        {},
        h('tr', {}, ...['#', 'event', 'who / what', 'where', 'reasons', 'risk'].map((t) => h('th', {}, t))),
      ),
      h('tbody', {}, ...rows),
    ),
  );
}
