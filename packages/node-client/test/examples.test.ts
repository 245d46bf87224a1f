import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { RunningService } from '@stepgate/decision-service';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp as createExpressApp } from '../examples/express-app.js';
import { createApp as createFastifyApp } from '../examples/fastify-app.js';
import { createApp as createHonoApp } from '../examples/hono-app.js';
import { createStepgate, type Stepgate } from '../src/index.js';
import { startService } from './support/service.js';

/** The README examples, run as written against the real decision service. */
type Started = { url: string; close: () => Promise<void> };

const starters: Record<string, (stepgate: Stepgate) => Promise<Started>> = {
  async express(stepgate) {
    const server = createExpressApp(stepgate).listen(0, '127.0.0.1');
    await once(server, 'listening');
    return {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      close: () => new Promise((resolve) => server.close(() => resolve())),
    };
  },
  async fastify(stepgate) {
    const app = await createFastifyApp(stepgate);
    return { url: await app.listen({ port: 0, host: '127.0.0.1' }), close: () => app.close() };
  },
  async hono(stepgate) {
    const app = createHonoApp(stepgate);
    const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
      const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
    });
    return {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      close: () => new Promise((resolve) => server.close(() => resolve())),
    };
  },
};

describe('README examples', () => {
  let svc: RunningService;
  let stepgate: Stepgate;
  beforeAll(async () => {
    svc = await startService();
    stepgate = createStepgate({ serviceUrl: svc.url, apiKey: svc.apiKey, timeoutMs: 5_000 });
    await stepgate.upsertUser('ann', { email: 'ann@example.com' });
  });
  afterAll(() => svc.close());

  for (const [name, start] of Object.entries(starters)) {
    it(`${name}: allows a small transfer, steps up a large one, and proxies its challenge`, async () => {
      const app = await start(stepgate);
      try {
        const transfer = (amount: number | undefined) =>
          fetch(`${app.url}/api/transfer`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-demo-user': 'ann' },
            body: JSON.stringify({ amount, currency: 'EUR', payee: 'FR76…' }),
          });
        const small = await transfer(20);
        expect(small.status).toBe(200);
        expect(await small.json()).toMatchObject({ ok: true, decisionId: expect.stringMatching(/^dec_/) });
        const large = await transfer(900);
        expect(large.status).toBe(401);
        expect(large.headers.get('www-authenticate')).toContain('insufficient_user_authentication');
        const { stepUp } = (await large.json()) as { stepUp: { challengeId: string; challengeUrl: string } };
        expect(stepUp.challengeUrl).toBe(`${app.url}/stepgate/v1/challenges/${stepUp.challengeId}`);
        const direct = await fetch(`${svc.url}/v1/challenges/${stepUp.challengeId}`);
        const proxied = await fetch(stepUp.challengeUrl);
        expect([proxied.status, await proxied.text()]).toEqual([direct.status, await direct.text()]);
        const anonymous = await fetch(`${app.url}/api/transfer`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ amount: 20, currency: 'EUR', payee: 'FR76…' }),
        });
        expect(anonymous.status).toBe(401);
        // Issue 22: the body is checked before it is bound; an amount that is not one never runs.
        for (const amount of ['900 EUR', null, [], {}, '1e9', '900']) {
          const bad = await transfer(amount as never);
          expect(bad.status, JSON.stringify(amount)).toBe(400);
        }
      } finally {
        await app.close();
      }
    });
  }
});

describe('what the docs tell apps to do', () => {
  const pkg = new URL('../', import.meta.url);
  const sources = readdirSync(new URL('src/', pkg), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .map((f) => new URL(`src/${f}`, pkg));
  const examples = readdirSync(new URL('examples/', pkg)).map((f) => new URL(`examples/${f}`, pkg));
  const docs = [new URL('README.md', pkg), new URL('../../docs/backend.md', pkg)];

  it('S17: no TSDoc, example or guide takes the Idempotency-Key from the browser’s request', () => {
    // req.get('idempotency-key'), req.headers['idempotency-key'], request.headers.get(…), view.header(…)
    const fromRequest = /(?:\.get\(|headers\[|\.header\()\s*['"`]idempotency-key['"`]/i;
    for (const file of [...sources, ...examples, ...docs]) {
      expect(readFileSync(file, 'utf8'), file.pathname).not.toMatch(fromRequest);
    }
  });

  it('S17: the README and the backend guide say the key is made on the server, never taken from the browser', () => {
    for (const file of docs) {
      const text = readFileSync(file, 'utf8');
      expect(text, file.pathname).toMatch(/Idempotency-Key/);
      expect(text, file.pathname).toMatch(/never (?:take|from|comes? from)[^.]*(?:browser|client)/i);
    }
  });
});
