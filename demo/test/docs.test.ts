import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createLogger, type RunningService, startDecisionService } from '@stepgate/decision-service';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DocBlock, docBlocks, normalize } from './doc-blocks.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const GUIDES = ['docs/frontend.md', 'docs/backend.md', 'docs/operators.md', 'docs/README.md'];
const blocks = GUIDES.flatMap((f) => docBlocks(`${root}${f}`, f));
// Samples are written inside demo/ so their imports resolve from demo/node_modules.
const sampleDir = `${root}demo/.doc-samples/`;
/** Shell commands the guides may show: each is run by another test (cli.test.ts) or is an install line. */
const SHELL = [/^pnpm (add|install)\b/, /^pnpm demo( --reset)?$/, /^PORT=\d+ pnpm demo$/, /^pnpm test$/];

const POLICY = `
policies:
  - id: high-value-transfer
    when: { action: payments.transfer, transaction.amount: { gt: 1000 } }
    require: { level: aal2, maxAge: 0, bindTransaction: true }
default: allow
`;

let svc: RunningService;
beforeAll(async () => {
  // Dev senders: the contact-change sample's step-up texts a code, read from the dev outbox.
  svc = await startDecisionService({
    port: 0,
    policies: POLICY,
    config: { senders: { email: { type: 'dev' }, sms: { type: 'dev' } } },
  });
  const call = (id: string, body: unknown) =>
    fetch(`${svc.url}/v1/users/${id}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${svc.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  await call('ann', { email: 'ann@example.com', phone: '+33612345678' });
  mkdirSync(sampleDir, { recursive: true });
});
afterAll(async () => {
  rmSync(sampleDir, { recursive: true, force: true });
  await svc?.close();
});

/** Starts the app a sample exports (Express, Fastify or Hono) on a free port. */
async function listen(name: string, app: unknown): Promise<{ base: string; close(): Promise<void> }> {
  if (name === 'fastify') {
    const f = app as { listen(o: object): Promise<string>; close(): Promise<void> };
    const base = await f.listen({ port: 0, host: '127.0.0.1' });
    return { base, close: () => f.close() };
  }
  if (name === 'hono') {
    const { serve } = await import('@hono/node-server');
    const server = serve({
      fetch: (app as { fetch: (r: Request) => Response }).fetch,
      port: 0,
      hostname: '127.0.0.1',
    });
    await new Promise((r) => server.once('listening', r));
    const port = (server.address() as AddressInfo).port;
    return { base: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(() => r())) };
  }
  const server = (app as { listen(port: number, host: string): import('node:http').Server }).listen(
    0,
    '127.0.0.1',
  );
  await new Promise((r) => server.once('listening', r));
  const port = (server.address() as AddressInfo).port;
  return { base: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(() => r())) };
}

const transfer = (base: string, amount: number, user?: string) =>
  fetch(`${base}/api/transfers`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(user ? { 'x-user': user } : {}) },
    body: JSON.stringify({ amount, payee: 'Bob' }),
  });

describe('every code block of the guides runs or is checked', () => {
  it('each block is a sample, an excerpt of a tested file, or an allowed command', () => {
    expect(blocks.length).toBeGreaterThan(5);
    for (const b of blocks) {
      const where = `${b.file}:${b.line}`;
      if (b.attrs.sample || b.attrs.excerpt) continue;
      if (b.lang === 'sh') {
        for (const line of b.code.split('\n').filter((l) => l.trim() && !l.startsWith('#'))) {
          const command = line.replace(/\s+#.*$/, '').trim();
          expect(
            SHELL.some((re) => re.test(command)),
            `${where}: ${command}`,
          ).toBe(true);
        }
        continue;
      }
      expect.fail(`${where}: a \`\`\`${b.lang} block needs sample="…" or excerpt="…"`);
    }
  });

  const excerpts = blocks.filter((b) => b.attrs.excerpt);
  it.each(excerpts.map((b) => [`${b.file}:${b.line} ⊂ ${b.attrs.excerpt}`, b] as [string, DocBlock]))(
    'excerpt %s is verbatim',
    (_, b) => {
      const source = normalize(readFileSync(`${root}${b.attrs.excerpt}`, 'utf8'));
      // A line `// …`, `# …` or `<!-- … -->` marks left-out lines: each part must appear as it is.
      const parts = b.code.split(/^\s*(?:\/\/|#|<!--)\s*….*$/m);
      for (const part of parts) expect(source, `${b.file}:${b.line}`).toContain(normalize(part));
    },
  );

  for (const name of ['express', 'fastify', 'hono']) {
    it(`backend.md ${name} sample: small transfer runs, large one steps up, no user is 401`, async () => {
      const b = blocks.find((x) => x.attrs.sample === name);
      expect(b, name).toBeDefined();
      process.env.STEPGATE_URL = svc.url;
      process.env.STEPGATE_API_KEY = svc.apiKey;
      writeFileSync(`${sampleDir}${name}.ts`, b!.code);
      const { app } = (await import(`${sampleDir}${name}.ts`)) as { app: unknown };
      const server = await listen(name, app);
      try {
        expect((await transfer(server.base, 10)).status).toBe(401);
        const small = await transfer(server.base, 10, 'ann');
        expect(small.status).toBe(200);
        expect((await small.json()).decisionId).toMatch(/^dec_/);
        const big = await transfer(server.base, 5000, 'ann');
        expect(big.status).toBe(401);
        expect(big.headers.get('www-authenticate')).toMatch(/step_up_challenge="chl_/);
        expect((await big.json()).stepUp.challengeUrl).toContain('/stepgate/v1/challenges/chl_');
      } finally {
        await server.close();
      }
    });
  }
});

describe('backend.md samples never run a transfer whose amount is not a number (issue 22)', () => {
  const send = (base: string, body: unknown) =>
    fetch(`${base}/api/transfers`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-user': 'ann' },
      body: JSON.stringify(body),
    });
  for (const name of ['express', 'fastify', 'hono']) {
    it(`${name}: "900 EUR", null, [], {}, "1e9" and no amount never get a 200 without a step-up`, async () => {
      const b = blocks.find((x) => x.attrs.sample === name);
      process.env.STEPGATE_URL = svc.url;
      process.env.STEPGATE_API_KEY = svc.apiKey;
      writeFileSync(`${sampleDir}${name}-typed.ts`, b!.code);
      const { app } = (await import(`${sampleDir}${name}-typed.ts`)) as { app: unknown };
      const server = await listen(name, app);
      try {
        for (const amount of ['900 EUR', null, [], {}, '1e9', undefined]) {
          const res = await send(
            server.base,
            amount === undefined ? { payee: 'Bob' } : { amount, payee: 'Bob' },
          );
          // 400 (the body is checked before it is bound), or at worst a step-up: never the transfer.
          expect([400, 401], `${name} ${JSON.stringify(amount)}`).toContain(res.status);
        }
        expect((await send(server.base, { amount: 900, payee: 'Bob' })).status).toBe(200);
      } finally {
        await server.close();
      }
    });
  }
});

describe('backend.md contact sample', () => {
  it('S31, S33: a new phone steps up with the old one through the proxy, then the retry changes it; both are told', async () => {
    const b = blocks.find((x) => x.attrs.sample === 'contact');
    expect(b).toBeDefined();
    process.env.STEPGATE_URL = svc.url;
    process.env.STEPGATE_API_KEY = svc.apiKey;
    writeFileSync(`${sampleDir}contact.ts`, b!.code);
    const { app } = (await import(`${sampleDir}contact.ts`)) as { app: unknown };
    const server = await listen('express', app);
    const json = { 'content-type': 'application/json' };
    const outbox = async (to: string) => {
      const res = await fetch(`${svc.url}/v1/dev/outbox?to=${encodeURIComponent(to)}`, {
        headers: { authorization: `Bearer ${svc.adminKey}` },
      });
      return ((await res.json()) as { messages: Array<{ kind: string; code?: string }> }).messages;
    };
    try {
      // Bea's first contact points: a plain call.
      const first = await fetch(`${svc.url}/v1/users/bea`, {
        method: 'PUT',
        headers: { ...json, authorization: `Bearer ${svc.apiKey}` },
        body: JSON.stringify({ email: 'bea@example.com', phone: '+33611110000' }),
      });
      expect(first.status).toBe(200);
      const change = (headers: Record<string, string> = {}) =>
        fetch(`${server.base}/api/me/phone`, {
          method: 'PUT',
          headers: { ...json, 'x-user': 'bea', ...headers },
          body: JSON.stringify({ phone: '+33622220000' }),
        });
      const gated = await change();
      expect(gated.status).toBe(401);
      expect(gated.headers.get('www-authenticate')).toMatch(/step_up_challenge="chl_/);
      const { stepUp } = (await gated.json()) as { stepUp: { challengeUrl: string; methods: string[] } };
      expect(stepUp.methods).toEqual(['sms_otp']);
      expect(stepUp.challengeUrl).toContain('/stepgate/v1/challenges/chl_');
      // What the widget does: start, read the code the old phone got, verify (through the proxy).
      const challengeUrl = stepUp.challengeUrl.replace(/^https?:\/\/[^/]+/, server.base);
      const post = (path: string, body: unknown) =>
        fetch(`${challengeUrl}/${path}`, { method: 'POST', headers: json, body: JSON.stringify(body) });
      expect((await post('start', { method: 'sms_otp' })).status).toBe(200);
      const code = (await outbox('+33611110000')).filter((m) => m.kind === 'code').at(-1)?.code;
      const verified = (await (await post('verify', { method: 'sms_otp', code })).json()) as {
        token: string;
      };
      const done = await change({ 'step-up-token': verified.token });
      expect(done.status).toBe(200);
      expect(await done.json()).toEqual({ phone: '+33622220000' });
      for (const to of ['+33611110000', '+33622220000', 'bea@example.com']) {
        expect((await outbox(to)).map((m) => m.kind)).toContain('contact_changed');
      }
    } finally {
      await server.close();
    }
  });
});

describe('operators.md', () => {
  it('the sample configuration starts a service that is ready', async () => {
    const { mkdtempSync, copyFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(`${tmpdir()}/stepgate-config-`);
    const b = blocks.find((x) => x.attrs.sample === 'config');
    expect(b).toBeDefined();
    writeFileSync(`${dir}/stepgate.yaml`, b!.code);
    copyFileSync(`${root}demo/policies.yaml`, `${dir}/policies.yaml`);
    const started = await startDecisionService({
      config: `${dir}/stepgate.yaml`,
      port: 0,
      watchPolicies: false,
      logger: createLogger('silent'),
    });
    try {
      expect(started.config.issuer).toBe('https://stepgate.bank.example');
      expect(started.config.trustedClients).toEqual(['10.0.0.0/8']);
      expect(started.config.webauthn.rpId).toBe('bank.example');
      expect(started.config.senders.email?.type).toBe('smtp');
      const ready = await fetch(`${started.url}/readyz`);
      expect(ready.status).toBe(200);
      expect((await ready.json()).policyVersion).toBe(started.policyVersion());
    } finally {
      await started.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens. */
const anchorOf = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');

describe('links of the guides', () => {
  const files = [...GUIDES, 'demo/README.md', 'README.md'];
  it.each(files)('every relative link of %s names a file (and heading) that exists', (file) => {
    const text = readFileSync(`${root}${file}`, 'utf8').replace(/```[\s\S]*?```/g, '');
    const dir = new URL(`../../${file}`, import.meta.url);
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (!target || /^[a-z]+:/.test(target)) continue;
      const [path, anchor] = target.split('#') as [string, string | undefined];
      const url = path === '' ? dir : new URL(path, dir);
      expect(existsSync(url), `${file}: ${target}`).toBe(true);
      if (anchor === undefined || !url.pathname.endsWith('.md')) continue;
      const headings = [...readFileSync(url, 'utf8').matchAll(/^#+ (.+)$/gm)].map((m) =>
        anchorOf(m[1] ?? ''),
      );
      expect(headings, `${file}: ${target}`).toContain(anchor);
    }
  });
});
