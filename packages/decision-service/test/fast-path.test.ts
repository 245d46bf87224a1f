import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningService } from '../src/index.js';
import { start, testClock } from './helpers.js';

/**
 * `POST /v1/decisions` is answered by a node:http fast path when the body has a Content-Length,
 * and by the Fastify route otherwise (a chunked body). Both must answer every request alike.
 */
interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

function post(
  svc: RunningService,
  path: string,
  body: string,
  headers: Record<string, string>,
  framing: 'length' | 'chunked',
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const url = new URL(path, svc.url);
    const req = request(url, {
      method: 'POST',
      headers:
        framing === 'length' ? { ...headers, 'content-length': String(Buffer.byteLength(body)) } : headers,
    });
    req.on('error', reject);
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        text += c;
      });
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: JSON.parse(text) }),
      );
    });
    if (framing === 'chunked') req.write(body.slice(0, 1)); // forces Transfer-Encoding: chunked
    req.end(framing === 'chunked' ? body.slice(1) : body);
  });
}

const VALID = {
  subject: { id: 'fast-user', sessionId: 's1', authTime: 1_700_000_000, acr: 'aal1' },
  action: { name: 'payments.list' },
  context: { ip: '203.0.113.9' },
};
/** A valid request for a user of its own: each decision changes its user's history. */
const valid = (user: string) => ({ ...VALID, subject: { ...VALID.subject, id: user } });

/** The parts of an answer that must not depend on the path taken. */
function comparable(a: Answer) {
  const body = structuredClone(a.body) as Record<string, unknown>;
  delete body.decisionId;
  return {
    status: a.status,
    body,
    type: a.headers['content-type'],
    cache: a.headers['cache-control'],
    nosniff: a.headers['x-content-type-options'],
    authenticate: a.headers['www-authenticate'],
    replayed: a.headers['idempotent-replayed'],
  };
}

describe('POST /v1/decisions: the node:http fast path answers like the Fastify route', () => {
  let svc: RunningService;
  let json: Record<string, string>;
  beforeAll(async () => {
    // A fixed clock: the two paths' answers carry the session's age, which must not tick between them.
    svc = await start({ clock: testClock() });
    json = { authorization: `Bearer ${svc.apiKey}`, 'content-type': 'application/json' };
  });
  afterAll(async () => {
    await svc.close();
  });

  const cases: Array<
    [string, (user: string) => { body: string; headers: Record<string, string>; path?: string }]
  > = [
    ['a valid request', (u) => ({ body: JSON.stringify(valid(u)), headers: json })],
    [
      'a charset parameter',
      (u) => ({
        body: JSON.stringify(valid(u)),
        headers: { ...json, 'content-type': 'Application/JSON; charset=utf-8' },
      }),
    ],
    ['a query string', (u) => ({ body: JSON.stringify(valid(u)), headers: json, path: '/v1/decisions?x=1' })],
    [
      'a denied action',
      (u) => ({ body: JSON.stringify({ ...valid(u), action: { name: 'account.delete' } }), headers: json }),
    ],
    [
      'a step-up',
      (u) => ({ body: JSON.stringify({ ...valid(u), action: { name: 'admin.users' } }), headers: json }),
    ],
    [
      'a field of the wrong type (issue 22)',
      (u) => ({
        body: JSON.stringify({
          ...valid(u),
          action: { name: 'payments.transfer' },
          transaction: { amount: '900 EUR' },
        }),
        headers: json,
      }),
    ],
    ['malformed JSON', () => ({ body: '{"subject":', headers: json })],
    [
      'a __proto__ key',
      () => ({ body: '{"subject":{"id":"u"},"action":{"name":"a.b"},"__proto__":{"x":1}}', headers: json }),
    ],
    ['a constructor.prototype key', () => ({ body: '{"constructor":{"prototype":{"x":1}}}', headers: json })],
    [
      'a schema violation',
      (u) => ({ body: JSON.stringify({ ...valid(u), subject: { id: 5 } }), headers: json }),
    ],
    ['an unknown property', (u) => ({ body: JSON.stringify({ ...valid(u), extra: true }), headers: json })],
    ['a JSON array', () => ({ body: '[1,2]', headers: json })],
    [
      'no API key',
      (u) => ({ body: JSON.stringify(valid(u)), headers: { 'content-type': 'application/json' } }),
    ],
    [
      'a wrong API key',
      (u) => ({ body: JSON.stringify(valid(u)), headers: { ...json, authorization: 'Bearer nope' } }),
    ],
    [
      'a malformed Stepgate-Client-IP',
      (u) => ({ body: JSON.stringify(valid(u)), headers: { ...json, 'stepgate-client-ip': 'not-an-ip' } }),
    ],
    [
      'a forwarded client IP',
      (u) => ({
        body: JSON.stringify(valid(u)),
        headers: { ...json, 'stepgate-client-ip': '::ffff:198.51.100.7' },
      }),
    ],
    [
      'a malformed Idempotency-Key',
      (u) => ({ body: JSON.stringify(valid(u)), headers: { ...json, 'idempotency-key': 'has space' } }),
    ],
    [
      'a text/plain body',
      (u) => ({ body: JSON.stringify(valid(u)), headers: { ...json, 'content-type': 'text/plain' } }),
    ],
    [
      'an oversized body',
      (u) => ({ body: JSON.stringify({ ...valid(u), pad: 'x'.repeat(70_000) }), headers: json }),
    ],
  ];

  for (const [name, make] of cases) {
    it(`answers ${name} the same way on both paths`, async () => {
      const fast = make(`${name}/fast`);
      const slow = make(`${name}/fastify`);
      const viaFast = await post(svc, fast.path ?? '/v1/decisions', fast.body, fast.headers, 'length');
      const viaFastify = await post(svc, slow.path ?? '/v1/decisions', slow.body, slow.headers, 'chunked');
      expect(comparable(viaFast)).toEqual(comparable(viaFastify));
      expect(viaFast.status).toBeLessThan(500);
    });
  }

  it('replays an Idempotency-Key answer the same way on both paths, whichever answered first', async () => {
    const body = JSON.stringify({ ...VALID, subject: { ...VALID.subject, id: 'idem-user' } });
    const first = await post(svc, '/v1/decisions', body, { ...json, 'idempotency-key': 'k-1' }, 'length');
    const againFastify = await post(
      svc,
      '/v1/decisions',
      body,
      { ...json, 'idempotency-key': 'k-1' },
      'chunked',
    );
    const againFast = await post(svc, '/v1/decisions', body, { ...json, 'idempotency-key': 'k-1' }, 'length');
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    for (const again of [againFastify, againFast]) {
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.body).toEqual(first.body);
    }
    const other = await post(
      svc,
      '/v1/decisions',
      JSON.stringify(VALID),
      { ...json, 'idempotency-key': 'k-1' },
      'length',
    );
    expect(other.status).toBe(409);
  });

  it('counts fast-path answers in the HTTP latency histogram under the route template', async () => {
    const count = async () => {
      const text = await (await fetch(`${svc.url}/metrics`)).text();
      const line = text
        .split('\n')
        .find((l) =>
          l.startsWith(
            'stepgate_http_request_duration_seconds_count{method="POST",route="/v1/decisions",status="200"}',
          ),
        );
      return Number(line?.split(' ').pop() ?? 0);
    };
    const before = await count();
    await post(svc, '/v1/decisions', JSON.stringify(VALID), json, 'length');
    expect(await count()).toBe(before + 1);
  });
});
