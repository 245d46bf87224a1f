/**
 * The full loop of a step-up the app's own identity provider performs (issue 21, docs/idp.md), in
 * Chromium: a guarded request → 401 with `acr_values` → sdk-core's redirect handler goes to the
 * provider (oidc-provider, a real OpenID provider on loopback) → the user signs in at the required
 * `acr` → back on the app's redirect URI, the app's backend exchanges the code and keeps the ID
 * token in its session → the original request is replayed with it (`idpToken`) → 200.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { type RunningService, startDecisionService } from '@stepgate/decision-service';
import { createStepgate } from '@stepgate/node-client';
import { stepgateExpress } from '@stepgate/node-client/express';
import { build } from 'esbuild';
import express from 'express';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exchangeCode, startTestIdp, type TestIdp } from '../../tools/test-idp.js';
import { launchBrowser } from './harness.js';

const POLICY = `
policies:
  - id: payroll-via-sso
    when: { action: payroll.approve }
    require: { level: aal2, maxAge: 0, bindTransaction: true, performer: idp:corp }
default: allow
`;

/** The page scripts: sdk-core's flow with the redirect handler, and the return page. */
const PAGE = `
import { completeIdpPopup, completeIdpStepUp, createIdpPopupHandler, createIdpRedirectHandler, createStepUpFetch, setIdpStepUpHandler } from '@stepgate/sdk-core';
const exchange = async (callback) => {
  const res = await fetch('/auth/step-up/exchange', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(callback) });
  if (!res.ok) throw new Error('exchange failed');
};
setIdpStepUpHandler(
  location.search.includes('popup')
    ? createIdpPopupHandler({ redirectUri: '/step-up/popup-callback', exchange, onBlocked: 'error' })
    : createIdpRedirectHandler({ redirectUri: '/step-up/callback' }),
);
const api = createStepUpFetch();
const show = async (res) => { document.querySelector('#result').textContent = res.status + ' ' + (await res.text()); };
document.querySelector('#approve')?.addEventListener('click', async () => {
  await api('/api/payroll', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ run: 'dec-2026', total: 48200 }) }).then(show, (e) => { document.querySelector('#result').textContent = 'error ' + e.code + ' ' + e.message; });
});
if (location.pathname === '/step-up/popup-callback') completeIdpPopup();
if (location.pathname === '/step-up/callback') {
  completeIdpStepUp({ exchange }).then(({ response }) => show(response), (e) => { document.querySelector('#result').textContent = 'error ' + e.code + ' ' + e.message; });
}
`;

async function bundle(): Promise<string> {
  const out = await build({
    stdin: { contents: PAGE, resolveDir: fileURLToPath(new URL('.', import.meta.url)), loader: 'ts' },
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    conditions: ['source'],
    logLevel: 'warning',
  });
  return out.outputFiles[0]!.text;
}

const html = (body: string) =>
  `<!doctype html><meta charset="utf-8"><title>Payroll</title>${body}<pre id="result"></pre><script type="module" src="/app.js"></script>`;

let idp: TestIdp;
let svc: RunningService;
let server: Server;
let appUrl: string;
let browser: Browser;
/** What the app's backend received: the payroll runs it approved. */
const approved: unknown[] = [];

beforeAll(async () => {
  // The app's origin goes into the provider's client registration, so its port comes first.
  server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  appUrl = `http://localhost:${(server.address() as AddressInfo).port}`;
  const redirectUri = `${appUrl}/step-up/callback`;
  idp = await startTestIdp({
    clients: [
      {
        clientId: 'payroll-app',
        clientSecret: 'payroll-app-secret-0123456789abcdef',
        redirectUris: [redirectUri, `${appUrl}/step-up/popup-callback`],
      },
    ],
  });
  svc = await startDecisionService({
    port: 0,
    policies: POLICY,
    watchPolicies: false,
    config: {
      idps: [
        {
          id: 'corp',
          name: 'Corp SSO',
          issuer: idp.issuer,
          clientId: 'payroll-app',
          acrMap: { 'urn:corp:pwd': 'aal1', 'urn:corp:mfa': 'aal2', 'urn:corp:phr': 'aal3' },
        },
      ],
    },
  });
  const stepgate = createStepgate({ serviceUrl: svc.url, apiKey: svc.apiKey, timeoutMs: 5000 });
  // The app's own session: a cookie, and the newest ID token its OIDC callback stored.
  const sessions = new Map<string, { idToken?: string }>();
  const sessionOf = (req: express.Request) => {
    const sid = /sid=([\w-]+)/.exec(req.get('cookie') ?? '')?.[1];
    return sid === undefined ? undefined : sessions.get(sid);
  };
  const sg = stepgateExpress(stepgate, {
    getSubject: (req) => (sessionOf(req) ? { id: 'alice', sessionId: 'payroll-session', acr: 'aal1' } : null),
    idpToken: (req) => sessionOf(req)?.idToken,
    proxy: { publicOrigin: appUrl },
  });
  const js = await bundle();
  const app = express();
  app.get('/', (_req, res) => {
    const sid = randomUUID();
    sessions.set(sid, {});
    res.set('set-cookie', `sid=${sid}; Path=/; HttpOnly; SameSite=Lax`);
    res.type('html').send(html('<h1>Payroll</h1><button id="approve">Approve December payroll</button>'));
  });
  app.get('/step-up/callback', (_req, res) => {
    res.type('html').send(html('<h1>Back from Corp SSO</h1>'));
  });
  app.get('/step-up/popup-callback', (_req, res) => {
    res.type('html').send(html('<p>You can close this window.</p>'));
  });
  app.get('/app.js', (_req, res) => {
    res.type('js').send(js);
  });
  // The app's OIDC client: exchanges the code (with the PKCE verifier), checks the nonce it was
  // handed (OIDC Core §3.1.3.7; the signature and the rest are the service's job), and keeps the
  // ID token in the session for the guard.
  app.post('/auth/step-up/exchange', express.json(), async (req, res) => {
    const session = sessionOf(req);
    const { code, redirectUri: uri, codeVerifier, nonce } = req.body as Record<string, string>;
    if (!session || !code || !uri) return res.status(400).end();
    const { idToken } = await exchangeCode(idp, code, uri, idp.clients[0], codeVerifier);
    const claims = JSON.parse(Buffer.from(idToken.split('.')[1]!, 'base64url').toString('utf8'));
    if (claims.nonce !== nonce) return res.status(400).end();
    session.idToken = idToken;
    res.status(204).end();
  });
  app.post(
    '/api/payroll',
    express.json(),
    sg.requireStepUp({ action: 'payroll.approve', transaction: (req) => req.body }),
    (req, res) => {
      approved.push(req.body);
      res.json({ approved: true, run: req.body.run });
    },
  );
  server.on('request', app);
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await svc?.close();
  await idp?.close();
});

describe('step-up through the identity provider, in Chromium (issue 21)', { timeout: 60_000 }, () => {
  it('guarded request → 401 acr_values → provider login at the required acr → back → replay → 200', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const logs: string[] = [];
    page.on('console', (m) => logs.push(m.text()));
    page.on('pageerror', (e) => logs.push(String(e)));
    const answers: Array<{ status: number; header: string | null }> = [];
    page.on('response', (r) => {
      if (r.url().endsWith('/api/payroll'))
        answers.push({ status: r.status(), header: r.headers()['www-authenticate'] ?? null });
    });
    await page.goto(appUrl);
    await page.click('#approve');
    // At the provider: the login page says which assurance the step-up asks for.
    await page.waitForURL(`${idp.issuer}/interaction/**`);
    await expect(page.locator('#acr-values').textContent()).resolves.toBe('urn:corp:mfa urn:corp:phr');
    await page.fill('#user', 'alice');
    await page.selectOption('#acr', 'urn:corp:mfa');
    await page.click('#sign-in');
    await page.waitForURL(`${appUrl}/step-up/callback**`);
    await page.locator('#result', { hasText: /\S/ }).waitFor();
    expect(await page.locator('#result').textContent(), logs.join('\n')).toBe(
      '200 {"approved":true,"run":"dec-2026"}',
    );
    expect(answers[0]).toEqual({
      status: 401,
      header:
        'Bearer error="insufficient_user_authentication", acr_values="urn:corp:mfa urn:corp:phr", max_age="0"',
    });
    expect(answers.at(-1)?.status).toBe(200);
    expect(approved).toEqual([{ run: 'dec-2026', total: 48200 }]);
    // The code and state are gone from the address bar, and the kept request from sessionStorage.
    expect(new URL(page.url()).search).toBe('');
    await expect(page.evaluate(() => Object.keys(sessionStorage).length)).resolves.toBe(0);
    await context.close();
  });

  it('popup mode: the page stays, the user signs in in a popup, the request is retried in place → 200', async () => {
    approved.length = 0;
    const context = await browser.newContext();
    const page = await context.newPage();
    const logs: string[] = [];
    page.on('console', (m) => logs.push(m.text()));
    page.on('pageerror', (e) => logs.push(String(e)));
    await page.goto(`${appUrl}/?popup`);
    const [popup] = await Promise.all([context.waitForEvent('page'), page.click('#approve')]);
    await popup.waitForURL(`${idp.issuer}/interaction/**`);
    await expect(popup.locator('#acr-values').textContent()).resolves.toBe('urn:corp:mfa urn:corp:phr');
    await popup.fill('#user', 'alice');
    await popup.selectOption('#acr', 'urn:corp:mfa');
    await Promise.all([popup.waitForEvent('close'), popup.click('#sign-in')]);
    await page.locator('#result', { hasText: /\S/ }).waitFor();
    expect(await page.locator('#result').textContent(), logs.join('\n')).toBe(
      '200 {"approved":true,"run":"dec-2026"}',
    );
    // The opener never navigated: the request was retried from the page that made it.
    expect(new URL(page.url()).pathname).toBe('/');
    expect(approved).toEqual([{ run: 'dec-2026', total: 48200 }]);
    await context.close();
  });

  it('popup mode: closing the popup cancels the step-up; nothing is approved', async () => {
    approved.length = 0;
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${appUrl}/?popup`);
    const [popup] = await Promise.all([context.waitForEvent('page'), page.click('#approve')]);
    await popup.waitForURL(`${idp.issuer}/interaction/**`);
    await popup.close();
    await page.locator('#result', { hasText: /\S/ }).waitFor();
    expect(await page.locator('#result').textContent()).toMatch(/^error cancelled /);
    expect(approved).toEqual([]);
    await context.close();
  });
});
