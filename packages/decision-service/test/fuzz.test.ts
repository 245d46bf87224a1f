import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningService } from '../src/index.js';
import { client, start } from './helpers.js';

/** Every route the running service documents (so routes added later are fuzzed too). */
async function routesOf(svc: RunningService): Promise<Array<{ method: string; path: string }>> {
  const doc = (await (await fetch(`${svc.url}/openapi.json`)).json()) as { paths: Record<string, object> };
  return Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.keys(ops).map((method) => ({ method: method.toUpperCase(), path })),
  );
}

const VALID_DECISION = {
  subject: { id: 'fuzz-user', sessionId: 's', authTime: 1_700_000_000, acr: 'aal1', roles: ['user'] },
  action: { name: 'payments.transfer' },
  resource: { type: 'account', id: 'a1', attributes: { owner: 'x' } },
  transaction: { amount: 5000, payee: 'ACME' },
  context: { ip: '203.0.113.1', userAgent: 'ua', geo: { country: 'FR', lat: 1, lon: 2 } },
};

const printable = fc.string({
  unit: fc.constantFrom(...' !#$%&()*+,-./0123456789:;<=>?@ABCXYZ[]^_`abcxyz{|}~'),
  maxLength: 80,
});
/** Any JSON value, with hostile leaves: long strings, huge numbers, nested arrays, odd keys. */
const hostileJson = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.string({ maxLength: 40 }),
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.constant('x'.repeat(5000)),
    fc.double(),
    fc.integer(),
    fc.constantFrom(1e308, -0, Number.MAX_SAFE_INTEGER + 2),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(
      fc.constantFrom('__proto__', 'constructor', 'id', 'name', 'type', 'amount', 'subject', 'x'),
      tie('value'),
      {
        maxKeys: 5,
      },
    ),
  ),
})).value;

/** A valid decision body with one member replaced by something hostile. */
const mutatedDecision = fc
  .tuple(
    fc.constantFrom(
      ['subject'],
      ['subject', 'id'],
      ['subject', 'authTime'],
      ['subject', 'roles'],
      ['action', 'name'],
      ['resource'],
      ['transaction'],
      ['context', 'ip'],
      ['context', 'geo'],
      ['context', 'device'],
      ['stepUpToken'],
      ['unknownMember'],
    ),
    hostileJson,
  )
  .map(([path, value]) => {
    const body = structuredClone(VALID_DECISION) as Record<string, unknown>;
    let target = body;
    for (const key of path.slice(0, -1)) target = target[key] as Record<string, unknown>;
    target[path.at(-1)!] = value;
    return body;
  });

const body = fc.oneof(
  hostileJson.map((v) => JSON.stringify(v) ?? 'null'),
  mutatedDecision.map((v) => JSON.stringify(v)),
  fc.string({ maxLength: 200 }), // not JSON at all
  fc.constantFrom('{"a":', '[', '{"subject":{"id":"u"},"action":{"name":"x"}', '\u0000', '{}'.repeat(100)),
  fc.constant(JSON.stringify({ big: 'y'.repeat(70_000) })), // over the body limit
);

const segment = fc.oneof(
  fc.string({ maxLength: 20 }).map(encodeURIComponent),
  fc.constantFrom('%ff', '%00', '..', 'x'.repeat(400), '%E2%82', 'dec_AAAA', 'chl_AAAA', '😀'),
);

describe('S30: property-based fuzzing of every endpoint', () => {
  let svc: RunningService;
  let routes: Array<{ method: string; path: string }>;
  beforeAll(async () => {
    svc = await start();
    routes = await routesOf(svc);
  });
  afterAll(() => svc.close());

  it('S30: malformed, oversized and wrongly typed bodies, headers and paths never get a 5xx, and the process stays up', async () => {
    expect(routes.length).toBeGreaterThanOrEqual(7);
    const auth = fc.constantFrom<(s: RunningService) => string | undefined>(
      (s) => `Bearer ${s.apiKey}`,
      (s) => `Bearer ${s.adminKey}`,
      () => 'Bearer sgk_wrong',
      () => 'Basic Zm9vOmJhcg==',
      () => undefined,
    );
    const contentType = fc.constantFrom(
      'application/json',
      'application/json; charset=utf-8',
      'text/plain',
      'application/x-www-form-urlencoded',
      'application/json; charset=latin1',
      undefined,
    );
    const seen = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(
        fc.nat(),
        fc.array(segment, { minLength: 1, maxLength: 3 }),
        body,
        auth,
        contentType,
        fc.record({
          'idempotency-key': fc.option(printable, { nil: undefined }),
          'stepgate-client-ip': fc.option(fc.oneof(printable, fc.ipV4(), fc.ipV6()), { nil: undefined }),
          'x-request-id': fc.option(printable, { nil: undefined }),
        }),
        fc.boolean(),
        async (pick, segments, payload, authFor, type, extra, withBody) => {
          const route = routes[pick % routes.length]!;
          let i = 0;
          const path = route.path.replace(/\{[^}]+\}/g, () => segments[i++ % segments.length]!);
          const headers: Record<string, string> = {};
          const authorization = authFor(svc);
          if (authorization) headers.authorization = authorization;
          if (type) headers['content-type'] = type;
          for (const [k, v] of Object.entries(extra)) if (v !== undefined) headers[k] = v;
          const hasBody = withBody && route.method !== 'GET';
          const res = await fetch(`${svc.url}${path}`, {
            method: route.method,
            headers,
            ...(hasBody ? { body: payload } : {}),
          });
          await res.arrayBuffer();
          seen.set(res.status, (seen.get(res.status) ?? 0) + 1);
          if (res.status >= 500)
            throw new Error(`${route.method} ${path} answered ${res.status}: ${payload.slice(0, 200)}`);
        },
      ),
      { numRuns: 600, seed: Number(process.env.FUZZ_SEED ?? 20_301) },
    );
    expect((await fetch(`${svc.url}/healthz`)).status).toBe(200);
    // The run reached the handlers, not only the 401 gate.
    expect(seen.get(200) ?? 0).toBeGreaterThan(0);
    expect(seen.get(400) ?? 0).toBeGreaterThan(0);
  }, 60_000);

  it('S30: unknown members are rejected with 400 invalid_request, not silently stripped', async () => {
    const call = client(svc);
    const res = await call('POST', '/v1/decisions', { ...VALID_DECISION, surprise: true });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'invalid_request' });
    expect(res.body.error.message).toContain('surprise');
    const nested = await call('POST', '/v1/decisions', {
      ...VALID_DECISION,
      subject: { id: 'u', isAdmin: true },
    });
    expect(nested.status).toBe(400);
    const authzen = await call('POST', '/access/v1/evaluation', {
      subject: { type: 'user', id: 'u' },
      action: { name: 'x' },
      resource: { type: 'r', id: '1' },
      surprise: 1,
    });
    expect(authzen.status).toBe(400);
  });
});
