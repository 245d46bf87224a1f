/**
 * Issue 17 §1–2: history built through the real HTTP API (decisions, step-ups completed by
 * email, feedback labels; older decisions recorded before replay was on), then a backtest of a
 * candidate over HTTP and with the CLI, every figure compared with a count made here from the
 * inputs the test itself sent.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProgram } from '../src/cli/program.js';
import type { RunningService } from '../src/index.js';
import { AMOUNTS, CANDIDATE } from './backtest-fixtures.js';
import { browser, CHALLENGE_POLICY, lastCode } from './challenge-helpers.js';
import { client, freshDir, start, testClock } from './helpers.js';

type Outcome = 'allow' | 'step_up' | 'deny';
const USERS = ['u0', 'u1', 'u2', 'u3', 'u4', 'u5'];

/** The policies in force (CHALLENGE_POLICY) for a user with an email only: aal2 is unreachable. */
function expectedNow(amount: number): Outcome {
  if (amount > 10_000) return 'deny'; // high-value-transfer needs aal2: requirement_unsatisfiable
  return amount > 500 ? 'step_up' : 'allow';
}
function expectedCandidate(amount: number, currency: string): Outcome {
  if (currency === 'USD' && amount > 5000) return 'deny';
  return amount > 250 ? 'step_up' : 'allow';
}

interface Sent {
  id: string;
  amount: number;
  currency: string;
  replayable: boolean;
  label?: 'fraud' | 'legit';
}

describe('backtests over real history', () => {
  const dataDir = freshDir();
  const clock = testClock();
  const sent: Sent[] = [];
  const completions: number[] = []; // seconds from decision to verification, email_otp
  let started = 0;
  let svc: RunningService;
  let admin: ReturnType<typeof client>;
  let call: ReturnType<typeof client>;
  const config = (replay: boolean) => ({
    dataDir,
    origins: ['https://bank.example'],
    senders: { email: { type: 'dev' as const }, sms: { type: 'dev' as const } },
    audit: { replay: { enabled: replay, transactionFields: ['amount', 'currency'] } },
  });
  const decide = async (i: number, replayable: boolean) => {
    const amount = AMOUNTS[i % AMOUNTS.length]!;
    const currency = i % 3 === 0 ? 'USD' : 'EUR';
    const user = USERS[i % USERS.length]!;
    const res = await call('POST', '/v1/decisions', {
      subject: { id: user, sessionId: `s-${user}`, acr: 'aal1' },
      action: { name: 'payments.transfer' },
      transaction: { amount, currency, payee: `PAYEE-${i}`, memo: 'rent' },
      context: { ip: '198.51.100.7' },
    });
    expect(res.status).toBe(200);
    expect(res.body.decision).toBe(expectedNow(amount));
    sent.push({ id: res.body.decisionId, amount, currency, replayable });
    clock.advance(60_000);
    return res.body;
  };

  beforeAll(async () => {
    // Older history: recorded by a service without replay inputs (counted "not replayable").
    const old = await start({ clock, policies: CHALLENGE_POLICY, config: config(false) });
    call = client(old);
    for (const u of USERS) await call('PUT', `/v1/users/${u}`, { email: `${u}@example.com` });
    for (let i = 0; i < 4; i++) await decide(i + 100, false);
    // A fraud label on an old decision: labelled, but never guessed into the figures.
    expect((await call('POST', `/v1/decisions/${sent[0]!.id}/feedback`, { label: 'fraud' })).status).toBe(
      204,
    );
    sent[0]!.label = 'fraud';
    await old.close();

    svc = await start({ clock, policies: CHALLENGE_POLICY, config: config(true) });
    call = client(svc);
    admin = client({ url: svc.url, apiKey: svc.adminKey });
    const web = browser(svc);
    for (let i = 0; i < 40; i++) {
      const body = await decide(i, true);
      if (body.decision === 'step_up' && started < 6) {
        // Some step-ups are completed by email after (5 + n) seconds; one is started, never finished.
        const id = body.challenge.id as string;
        const user = USERS[i % USERS.length]!;
        expect((await web('POST', `/v1/challenges/${id}/start`, { method: 'email_otp' })).status).toBe(200);
        started += 1;
        if (started === 6) continue;
        const wait = 5 + started * 2;
        clock.advance(wait * 1000);
        const ok = await web('POST', `/v1/challenges/${id}/verify`, {
          method: 'email_otp',
          code: await lastCode({ admin }, `${user}@example.com`),
        });
        expect(ok.status).toBe(200);
        completions.push(wait + 60); // the clock moved 60 s after the decision, then `wait`
      }
    }
    // Feedback: large transfers are fraud, some step-ups legit (one relabelled: the last label wins).
    for (const s of sent.filter((x) => x.replayable)) {
      let label: 'fraud' | 'legit' | undefined;
      if (s.amount >= 7000) label = 'fraud';
      else if (s.amount === 600 || s.amount === 300) label = 'legit';
      if (!label) continue;
      if (s.amount === 300) {
        await call('POST', `/v1/decisions/${s.id}/feedback`, { label: 'fraud' });
      }
      expect((await call('POST', `/v1/decisions/${s.id}/feedback`, { label })).status).toBe(204);
      s.label = label;
    }
  });
  afterAll(() => svc?.close());

  /** The figures counted here from what the test sent. */
  function independentCount() {
    const replay = sent.filter((s) => s.replayable);
    const now = { allow: 0, step_up: 0, deny: 0 };
    const cand = { allow: 0, step_up: 0, deny: 0 };
    const transitions = new Map<string, string[]>();
    for (const s of replay) {
      const a = expectedNow(s.amount);
      const b = expectedCandidate(s.amount, s.currency);
      now[a] += 1;
      cand[b] += 1;
      if (a !== b) transitions.set(`${a}→${b}`, [...(transitions.get(`${a}→${b}`) ?? []), s.id]);
    }
    const fraud = sent.filter((s) => s.label === 'fraud');
    const legit = sent.filter((s) => s.label === 'legit');
    const stopped = (list: Sent[], f: (s: Sent) => Outcome) =>
      list.filter((s) => s.replayable && f(s) !== 'allow').length;
    const nowOf = (s: Sent) => expectedNow(s.amount);
    const candOf = (s: Sent) => expectedCandidate(s.amount, s.currency);
    const sorted = [...completions].sort((x, y) => x - y);
    return {
      replayable: replay.length,
      now,
      cand,
      transitions,
      fraud: {
        labelled: fraud.length,
        replayable: fraud.filter((s) => s.replayable).length,
        stoppedNow: stopped(fraud, nowOf),
        stoppedCandidate: stopped(fraud, candOf),
      },
      legit: {
        labelled: legit.length,
        replayable: legit.filter((s) => s.replayable).length,
        challengedNow: stopped(legit, nowOf),
        challengedCandidate: stopped(legit, candOf),
      },
      median: sorted[Math.floor((sorted.length - 1) / 2)],
      policy: {
        freshNow: replay.filter((s) => s.amount > 500).length,
        highNow: replay.filter((s) => s.amount > 10_000).length,
        freshCand: replay.filter((s) => s.amount > 250).length,
        usdCand: replay.filter((s) => s.currency === 'USD' && s.amount > 5000).length,
      },
    };
  }

  const window = () => ({
    since: new Date(Date.UTC(2029, 11, 31)).toISOString(),
    until: new Date(clock() + 1000).toISOString(),
  });

  it('replays every replayable decision and every figure matches the independent count', async () => {
    const res = await admin('POST', '/v1/backtests', { policy: CANDIDATE, ...window() });
    expect(res.status).toBe(200);
    const r = res.body;
    const want = independentCount();
    expect(Object.keys(r)).toEqual(
      expect.arrayContaining([
        'window',
        'decisions',
        'replayable',
        'now',
        'candidate',
        'transitions',
        'policies',
        'labels',
        'friction',
      ]),
    );
    expect(r.decisions).toBe(sent.length);
    expect(r.replayable).toBe(want.replayable);
    expect(r.notReplayable).toEqual({ count: 4, reasons: { no_input: 4 } });
    expect(r.now.outcomes).toEqual(want.now);
    expect(r.candidate.outcomes).toEqual(want.cand);
    expect(r.now.stepUpRate).toBeCloseTo(want.now.step_up / want.replayable, 10);
    expect(r.candidate.denyRate).toBeCloseTo(want.cand.deny / want.replayable, 10);
    expect(
      r.transitions
        .map((t: { from: string; to: string; count: number }) => [`${t.from}→${t.to}`, t.count])
        .sort(),
    ).toEqual([...want.transitions].map(([k, ids]) => [k, ids.length]).sort());
    for (const t of r.transitions) {
      expect(t.examples).toEqual(want.transitions.get(`${t.from}→${t.to}`)!.slice(0, 5));
    }
    const policy = (id: string) => r.policies.find((p: { policyId: string }) => p.policyId === id);
    expect(policy('fresh-check-for-transfers').now.matched).toBe(want.policy.freshNow);
    expect(policy('fresh-check-for-transfers').candidate.matched).toBe(want.policy.freshCand);
    expect(policy('high-value-transfer').now.matched).toBe(want.policy.highNow);
    expect(policy('high-value-transfer').candidate).toBeUndefined();
    expect(policy('usd-large').now).toBeUndefined();
    expect(policy('usd-large').candidate).toMatchObject({
      matched: want.policy.usdCand,
      deny: want.policy.usdCand,
    });
    const labelled = (label: string, f: (s: Sent) => boolean) =>
      sent.filter((x) => x.replayable && x.label === label && f(x)).length;
    expect(policy('fresh-check-for-transfers').now).toMatchObject({
      fraudCaught: labelled('fraud', (x) => x.amount > 500),
      legitChallenged: labelled('legit', (x) => x.amount > 500),
    });
    expect(policy('fresh-check-for-transfers').candidate).toMatchObject({
      fraudCaught: labelled('fraud', (x) => x.amount > 250),
      legitChallenged: labelled('legit', (x) => x.amount > 250),
    });
    expect(r.labels.fraud).toMatchObject(want.fraud);
    expect(r.labels.fraud.missedNow).toBe(want.fraud.replayable - want.fraud.stoppedNow);
    expect(r.labels.legit).toEqual(want.legit);
    // Friction: challenges per 1,000, and the measured completion of the email step-ups.
    expect(r.friction.now.challengesPer1000).toBeCloseTo((want.now.step_up * 1000) / want.replayable, 10);
    expect(r.friction.candidate.challengesPer1000).toBeCloseTo(
      (want.cand.step_up * 1000) / want.replayable,
      10,
    );
    expect(r.friction.methods.email_otp).toMatchObject({
      started: 6,
      verified: 5,
      completionRate: 5 / 6,
      medianSeconds: want.median,
    });
    // Every step-up of the window opened a challenge, the older ones' too.
    const created = sent.filter((s) => expectedNow(s.amount) === 'step_up').length;
    expect(r.friction.challenges).toEqual({ created, verified: 5, completionRate: 5 / created });
    expect(r.friction.abandonedChange).toBeCloseTo(
      (want.cand.step_up - want.now.step_up) * (1 - 5 / created),
      10,
    );
  });

  it('without a candidate, reports what the policies in force do (no transition)', async () => {
    const res = await admin('POST', '/v1/backtests', window());
    expect(res.status).toBe(200);
    expect(res.body.transitions).toEqual([]);
    expect(res.body.candidate.outcomes).toEqual(res.body.now.outcomes);
    expect(res.body.now.outcomes).toEqual(independentCount().now);
  });

  it('keeps only allow-listed transaction fields in the replay input, its digest in the record', () => {
    const db = new Database(join(dataDir, 'audit.db'), { readonly: true });
    try {
      const rows = db.prepare('SELECT input FROM audit_replay').all() as Array<{ input: string }>;
      expect(rows).toHaveLength(40);
      const first = JSON.parse(rows[0]!.input);
      expect(first.request.transaction).toEqual({ amount: 100, currency: 'USD' });
      expect(first.history.enrolledMethods).toEqual([{ maxLevel: 'aal1', method: 'email_otp' }]);
      expect(rows.some((r) => r.input.includes('PAYEE') || r.input.includes('rent'))).toBe(false);
      const event = JSON.parse(
        (
          db
            .prepare("SELECT event FROM audit_log WHERE type = 'decision' ORDER BY seq DESC LIMIT 1")
            .get() as { event: string }
        ).event,
      );
      expect(event.replayDigest).toMatch(/^[0-9a-f]{64}$/);
    } finally {
      db.close();
    }
  });

  it('stepgate backtest --format json gives the same report as the HTTP route', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stepgate-bt-'));
    const policyFile = join(dir, 'policies.yaml');
    const candidateFile = join(dir, 'candidate.yaml');
    writeFileSync(policyFile, CHALLENGE_POLICY);
    writeFileSync(candidateFile, CANDIDATE);
    const configFile = join(dir, 'stepgate.json');
    writeFileSync(
      configFile,
      JSON.stringify({ dataDir, keyFile: join(dataDir, 'stepgate.key'), policies: [policyFile] }),
    );
    const out: string[] = [];
    const io = { out: (s: string) => out.push(s), err: (s: string) => out.push(s) };
    const w = window();
    await createProgram(io).parseAsync(
      [
        'backtest',
        '-c',
        configFile,
        '--policy',
        candidateFile,
        '--since',
        w.since,
        '--until',
        w.until,
        '--format',
        'json',
      ],
      { from: 'user' },
    );
    const viaHttp = (await admin('POST', '/v1/backtests', { policy: CANDIDATE, ...w })).body;
    expect(JSON.parse(out.join('\n'))).toEqual(viaHttp);
    out.length = 0;
    await createProgram(io).parseAsync(
      ['backtest', '-c', configFile, '--policy', candidateFile, '--since', w.since, '--until', w.until],
      { from: 'user' },
    );
    const text = out.join('\n');
    expect(text).toContain(
      `${sent.length} decisions, ${viaHttp.replayable} replayable, 4 not replayable (no_input: 4)`,
    );
    expect(text).toMatch(/allow→step_up\s+\d+/);
  });

  it('stepgate policy whatif explains one request from a file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stepgate-wi-'));
    const candidateFile = join(dir, 'candidate.yaml');
    const inputFile = join(dir, 'request.json');
    writeFileSync(candidateFile, CANDIDATE);
    writeFileSync(
      inputFile,
      JSON.stringify({
        subject: { id: 'u1' },
        action: { name: 'payments.transfer' },
        transaction: { amount: 9000, currency: 'USD' },
      }),
    );
    const out: string[] = [];
    const io = { out: (s: string) => out.push(s), err: (s: string) => out.push(s) };
    await createProgram(io).parseAsync(
      ['policy', 'whatif', '--policy', candidateFile, '--input', inputFile, '--format', 'json'],
      { from: 'user' },
    );
    const answer = JSON.parse(out.join('\n'));
    expect(answer.decision).toBe('deny');
    expect(answer.matched).toEqual(['fresh-check-for-transfers', 'usd-large']);
    out.length = 0;
    writeFileSync(
      inputFile,
      JSON.stringify({
        request: {
          subject: { id: 'u1' },
          action: { name: 'payments.transfer' },
          transaction: { amount: 100, currency: 'USD' },
        },
      }),
    );
    await createProgram(io).parseAsync(
      ['policy', 'whatif', '--policy', candidateFile, '--input', inputFile],
      {
        from: 'user',
      },
    );
    expect(out[0]).toMatch(/^decision: allow/);
    expect(out.join('\n')).toContain('usd-large did not match: transaction.amount gt 5000, got 100');
    writeFileSync(inputFile, '[1]');
    await expect(
      createProgram(io).parseAsync(['policy', 'whatif', '--policy', candidateFile, '--input', inputFile], {
        from: 'user',
      }),
    ).rejects.toThrow(/not a decision request/);
  });

  it('POST /v1/whatif says why each other policy did not match, and writes nothing', async () => {
    const before = (await admin('GET', '/v1/audit?limit=1')).body.records[0].seq;
    const res = await admin('POST', '/v1/whatif', {
      policy: CANDIDATE,
      request: {
        subject: { id: 'u1', sessionId: 's-u1' },
        action: { name: 'payments.transfer' },
        transaction: { amount: 300, currency: 'EUR' },
      },
    });
    expect(res.status).toBe(200);
    expect(res.body.decision).toBe('step_up');
    expect(res.body.matched).toEqual(['fresh-check-for-transfers']);
    expect(res.body.notMatched).toEqual([
      expect.objectContaining({
        policyId: 'usd-large',
        failed: expect.objectContaining({ field: 'transaction.currency', actual: 'EUR' }),
      }),
    ]);
    // The stored state was used: the user's email makes aal1 reachable.
    expect(res.body.usableMethods).toEqual(['email_otp']);
    expect((await admin('GET', '/v1/audit?limit=1')).body.records[0].seq).toBe(before);
  });

  it('refuses a bad candidate, a bad window and a non-admin key with a code', async () => {
    const bad = await admin('POST', '/v1/backtests', {
      policy: 'policies: [ { id: x, when: { nope: 1 } } ]',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_request');
    const badWindow = await admin('POST', '/v1/backtests', { policy: CANDIDATE, since: 'yesterday' });
    expect(badWindow.status).toBe(400);
    expect(badWindow.body.error.code).toBe('invalid_request');
    expect((await call('POST', '/v1/backtests', { policy: CANDIDATE })).status).toBe(403);
    const request = { subject: { id: 'u1' }, action: { name: 'payments.transfer' } };
    expect((await call('POST', '/v1/whatif', { policy: CANDIDATE, request })).status).toBe(403);
  });
});
