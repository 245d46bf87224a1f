import { join } from 'node:path';
import { encodeStepUpContext, transactionDigest } from '@stepgate/protocol';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningService } from '../src/index.js';
import { client, start } from './helpers.js';

const TRANSFER = { amount: 5000, currency: 'EUR', payee: 'ACME' };

describe('audit log of a running service', () => {
  let svc: RunningService;
  let call: ReturnType<typeof client>;
  let admin: ReturnType<typeof client>;
  const auditRows = () => {
    const db = new Database(join(svc.config.dataDir, 'audit.db'), { readonly: true });
    try {
      return db.prepare('SELECT * FROM audit_log ORDER BY seq').all() as Array<Record<string, unknown>>;
    } finally {
      db.close();
    }
  };

  beforeAll(async () => {
    svc = await start();
    call = client(svc);
    admin = client({ url: svc.url, apiKey: svc.adminKey });
    await call('PUT', '/v1/users/alice', { phone: '+33612345678' });
  });
  afterAll(() => svc.close());

  it('S27/S29: every answered decision is already in the log, with who, what, where, reasons and policy version', async () => {
    const res = await call(
      'POST',
      '/v1/decisions',
      {
        subject: { id: 'alice', sessionId: 's1' },
        action: { name: 'payments.transfer' },
        resource: { type: 'account', id: 'acc-1' },
        transaction: TRANSFER,
        context: { ip: '198.51.100.4', geo: { country: 'FR' } },
      },
      { 'stepgate-client-ip': '203.0.113.9' },
    );
    expect(res.body.decision).toBe('step_up');
    // No waiting: the answer came after the record was durable.
    const page = await admin('GET', `/v1/audit?user=alice&decision=step_up`);
    expect(page.status).toBe(200);
    const record = page.body.records.find(
      (r: { event: { decisionId: string } }) => r.event.decisionId === res.body.decisionId,
    );
    expect(record.event).toMatchObject({
      type: 'decision',
      outcome: 'step_up',
      who: { userId: 'alice', sessionId: 's1', audience: 'default' },
      what: {
        action: 'payments.transfer',
        resourceType: 'account',
        resourceId: 'acc-1',
        transactionDigest: await transactionDigest({ action: 'payments.transfer', transaction: TRANSFER }),
      },
      where: { ip: '203.0.113.9', country: 'FR' },
      policyVersion: res.body.policyVersion,
      challengeId: res.body.challenge.id,
    });
    expect(record.event.reasons.map((r: { policyId: string }) => r.policyId)).toContain(
      'high-value-transfer',
    );
    expect(record.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('GET /v1/audit filters by action, policy and time, paginates with a cursor, and needs an admin key', async () => {
    for (let i = 0; i < 5; i++) {
      await call('POST', '/v1/decisions', { subject: { id: `page-${i}` }, action: { name: 'reports.view' } });
    }
    const first = await admin('GET', '/v1/audit?action=reports.view&limit=2');
    expect(first.body.records).toHaveLength(2);
    expect(first.body.nextCursor).toMatch(/^c\d+$/);
    const second = await admin(
      'GET',
      `/v1/audit?action=reports.view&limit=2&cursor=${first.body.nextCursor}`,
    );
    expect(second.body.records[0].seq).toBeLessThan(first.body.records[1].seq);
    const all = await admin('GET', '/v1/audit?action=reports.view&limit=100');
    expect(all.body.records).toHaveLength(5);
    expect(all.body.nextCursor).toBeUndefined();
    const byPolicy = await admin('GET', '/v1/audit?policy=high-value-transfer');
    expect(byPolicy.body.records.length).toBeGreaterThan(0);
    const future = await admin('GET', '/v1/audit?from=2999-01-01T00:00:00Z');
    expect(future.body.records).toEqual([]);
    expect((await call('GET', '/v1/audit')).status).toBe(403);
    expect((await admin('GET', '/v1/audit?limit=0')).status).toBe(400);
    expect((await admin('GET', '/v1/audit?from=yesterday')).status).toBe(400);
    expect((await admin('GET', '/v1/audit?color=red')).body.error.code).toBe('invalid_request');
  });

  it('S27: no API key, upgraded token, device token or code ever reaches the stored rows', async () => {
    const digest = await transactionDigest({ action: 'payments.transfer', transaction: TRANSFER });
    const { token } = svc.tokens.mintStepUpToken({
      sub: 'alice',
      aud: 'default',
      acr: 'urn:stepgate:aal2',
      amr: ['otp'],
      authTime: Math.floor(Date.now() / 1000),
      action: 'payments.transfer',
      digest,
    });
    const device = await svc.tokens.mintDeviceToken({ sub: 'alice', deviceId: 'dev-1' });
    const header = encodeStepUpContext({
      v: 1,
      deviceId: 'dev-1',
      fingerprint: 'fp',
      deviceToken: device.token,
      signals: {},
    });
    const res = await call('POST', '/v1/decisions', {
      subject: { id: 'alice' },
      action: { name: 'payments.transfer' },
      transaction: TRANSFER,
      stepUpToken: token,
      context: { device: JSON.parse(Buffer.from(header, 'base64url').toString()) },
    });
    expect(res.body.decision).toBe('allow');
    const forged = await call('POST', '/v1/decisions', {
      subject: { id: 'alice' },
      action: { name: 'payments.transfer' },
      transaction: TRANSFER,
      stepUpToken: `${token.slice(0, -4)}AAAA`,
    });
    expect(forged.body.decision).toBe('step_up');
    await svc.audit.append({
      type: 'challenge.failed',
      who: { userId: 'alice' },
      challengeId: 'chl_planted',
      detail: { failure: 'wrong_code', attemptsLeft: 1 },
      // @ts-expect-error — no field of an audit input can hold a code
      code: '493817',
    });
    const stored = JSON.stringify(auditRows());
    for (const secret of [svc.apiKey, svc.adminKey, token, token.split('.')[2]!, device.token, '493817']) {
      expect(stored).not.toMatch(new RegExp(`(?<![0-9A-Za-z])${secret.replaceAll('.', '\\.')}(?![0-9])`));
    }
    expect(stored).toContain('chl_planted');
  });

  it('/metrics counts decisions by outcome and policy, audit batches and the audit health', async () => {
    const res = await fetch(`${svc.url}/metrics`);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    expect(text).toMatch(/stepgate_decisions_total\{decision="step_up"\} \d+/);
    expect(text).toMatch(
      /stepgate_policy_decisions_total\{policy="high-value-transfer",decision="step_up"\} \d+/,
    );
    expect(text).toMatch(/stepgate_audit_batch_size_count [1-9]/);
    expect(text).toContain('stepgate_audit_up 1');
    expect(text).toMatch(
      /stepgate_http_request_duration_seconds_count\{method="POST",route="\/v1\/decisions",status="200"\} \d+/,
    );
  });
});

describe('S29: the audit store fails', () => {
  it('S29: decisions are withheld (503 service_unavailable, never an unaudited allow), the alert metric rises, and it recovers', async () => {
    const svc = await start();
    try {
      const call = client(svc);
      const body = { subject: { id: 'bob' }, action: { name: 'reports.view' } };
      expect((await call('POST', '/v1/decisions', body)).body.decision).toBe('allow');
      const db = new Database(join(svc.config.dataDir, 'audit.db'));
      db.exec(
        "CREATE TRIGGER broken BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END;",
      );
      const failed = await call('POST', '/v1/decisions', body);
      expect(failed.status).toBe(503);
      expect(failed.body.error.code).toBe('service_unavailable');
      const authzen = await call('POST', '/access/v1/evaluation', {
        subject: { type: 'user', id: 'bob' },
        action: { name: 'reports.view' },
        resource: { type: 'report', id: 'r1' },
      });
      expect(authzen.status).toBe(503);
      expect((await fetch(`${svc.url}/readyz`)).status).toBe(503);
      const metrics = await (await fetch(`${svc.url}/metrics`)).text();
      expect(metrics).toContain('stepgate_audit_up 0');
      expect(metrics).toMatch(/stepgate_audit_write_failures_total [1-9]/);
      expect(metrics).toMatch(/stepgate_audit_withheld_decisions_total [1-9]/);
      db.exec('DROP TRIGGER broken');
      db.close();
      // /readyz probes the writer, so the instance comes back before any decision is sent.
      expect((await fetch(`${svc.url}/readyz`)).status).toBe(200);
      expect((await call('POST', '/v1/decisions', body)).body.decision).toBe('allow');
    } finally {
      await svc.close();
    }
  });
});
