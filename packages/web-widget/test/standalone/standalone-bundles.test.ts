/**
 * The standalone `<script>` bundles (package.json `stepgate.standalone`, docs/widget.md "Loading
 * it"), built from the current sources with the workspace rollup config and loaded in Chromium
 * with `<script type="module" src>`, as a page without a bundler or a mobile webview loads them.
 * Checks what such a page relies on: the bundle needs no other module, the elements get defined
 * and render, the documented exports work, and the challenge element answers sdk-core's handler
 * registry on `globalThis` (the app's own sdk-core copy finds it there, docs/webview.md).
 */
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildStandalone, type StandaloneBundle, type StandaloneName } from './build-standalone.js';
import { CODE, DISPLAY_NAME, FakeStepgate } from './fake-stepgate.js';
import { bundlePath, definedTags, launchChromium, openPage, scriptTags } from './standalone-page.js';

/** sdk-core's handler registry key (`HANDLER_REGISTRY_KEY`): shared by every copy of sdk-core. */
const REGISTRY_KEY = 'stepgate.sdk-core.handlers';
/** A module import or re-export in the output (`import{…}from"lit"`, `import"x"`, `import(…)`, `export*from`). */
const IMPORT_STATEMENT = /(?<![\w$.])import\s*[\s{*"'`(]|(?<![\w$.])export\s*(?:\*|\{[^}]*\})\s*from\b/;

/** What the page's module script takes from a bundle (`window.fromBundle`). */
interface FromBundle {
  StepUpChallenge?: unknown;
  StepUpEnroll?: unknown;
  stepUp: (info: unknown) => Promise<unknown>;
}

let browser: Browser;
const bundles = {} as Record<StandaloneName, StandaloneBundle>;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  const launching = launchChromium();
  for (const name of [
    'step-up-challenge',
    'step-up-enroll',
    'stepgate-fr',
    'step-up-fetch',
    'step-up-webauthn',
  ] as const) {
    bundles[name] = await buildStandalone(name);
  }
  browser = await launching;
}, 90_000);
afterEach(async () => {
  await Promise.all(contexts.splice(0).map((c) => c.close()));
});
afterAll(async () => {
  await browser?.close();
});

async function open(options: Parameters<typeof openPage>[1]) {
  const opened = await openPage(browser, options);
  contexts.push(opened.context);
  return opened;
}

describe('standalone bundles are single self-contained ES modules', () => {
  it.each([
    ['step-up-enroll', ['StepUpEnroll']],
    ['stepgate-fr', []],
    ['step-up-fetch', ['createStepUpFetch', 'isStepUpError']],
    ['step-up-webauthn', ['webauthnCeremony']],
  ] as const)(
    '%s.min.js imports no other module at run time (lit and the rest are inlined) and exports %j',
    (name, exports) => {
      const bundle = bundles[name];
      expect(bundle.warnings).toEqual([]);
      expect(bundle.imports).toEqual([]);
      expect(bundle.code).not.toMatch(IMPORT_STATEMENT);
      expect(bundle.exports).toEqual([...exports]);
    },
  );

  it('step-up-challenge.min.js imports nothing statically, and at run time only its siblings step-up-fetch.min.js (createStepUpFetch) and step-up-webauthn.min.js (the WebAuthn ceremony), on demand; it exports createStepUpFetch, StepUpChallenge and stepUp', () => {
    const bundle = bundles['step-up-challenge'];
    expect(bundle.warnings).toEqual([]);
    // Rollup lists the siblings as the chunk's (dynamic, external) imports.
    expect(bundle.imports.map((i) => i.replace(/^\.\//, '')).sort()).toEqual([
      'step-up-fetch.min.js',
      'step-up-webauthn.min.js',
    ]);
    // The dynamic imports, relative to the bundle's own URL: `import("./step-up-fetch.min.js")`.
    const dynamic = [...bundle.code.matchAll(/(?<![\w$.])import\s*\(([^)]*)\)/g)].map((m) => m[1]);
    expect(dynamic.sort()).toEqual(['"./step-up-fetch.min.js"', '"./step-up-webauthn.min.js"']);
    const rest = bundle.code.replace(/(?<![\w$.])import\("\.\/step-up-(fetch|webauthn)\.min\.js"\)/g, '');
    expect(rest).not.toMatch(IMPORT_STATEMENT);
    // @simplewebauthn/browser stays out of the size-budgeted bundle.
    expect(bundle.code).not.toContain('cancelCeremony');
    expect(bundles['step-up-webauthn'].code).toContain('cancelCeremony');
    expect(bundle.exports).toEqual(['StepUpChallenge', 'createStepUpFetch', 'stepUp']);
  });
});

describe('step-up-challenge.min.js in a page', () => {
  it('defines <step-up-challenge>, which loads the challenge view and renders the transaction and the code field', async () => {
    const service = new FakeStepgate();
    const challenge = bundles['step-up-challenge'];
    const { page, problems, requested } = await open({
      bundles: [challenge],
      service,
      body: `<step-up-challenge inline challenge-url="${service.challenge('chl_inline').challengeUrl}"></step-up-challenge>
${scriptTags(challenge)}`,
    });
    expect(await definedTags(page)).toEqual(['step-up-challenge']);
    const el = page.locator('step-up-challenge');
    await el.locator('[part=input]').waitFor();
    expect(await el.evaluate((e) => e.shadowRoot?.querySelector('[part=title]')?.textContent)).toBe(
      'Confirm it’s you',
    );
    expect(await el.locator('[part=action]').textContent()).toBe('Transfer money');
    expect(await el.locator('[part=transaction-value]').allTextContents()).toContain('ACME Rent');
    expect(service.calls).toEqual([{ method: 'GET', path: '/stepgate/v1/challenges/chl_inline' }]);
    expect(requested).toEqual(['/', bundlePath(challenge), '/stepgate/v1/challenges/chl_inline']);
    expect(problems).toEqual([]);
  });

  it('a connected <step-up-challenge> is the handler in sdk-core’s registry on globalThis; it runs a TOTP challenge to the token and unregisters when removed', async () => {
    const service = new FakeStepgate();
    const challenge = bundles['step-up-challenge'];
    const { page, problems } = await open({
      bundles: [challenge],
      service,
      body: `<step-up-challenge></step-up-challenge>\n${scriptTags(challenge)}`,
    });
    expect(await definedTags(page)).toEqual(['step-up-challenge']);
    const registered = await page.evaluate(
      (key) => typeof (globalThis as Record<symbol, { stepUp?: unknown }>)[Symbol.for(key)]?.stepUp,
      REGISTRY_KEY,
    );
    expect(registered).toBe('function');

    // What the app's own sdk-core does when a request gets a step-up answer (getStepUpHandler()).
    const answer = page.evaluate(
      ({ key, info }) => {
        type Registry = { stepUp: (i: unknown, o: { signal: AbortSignal }) => Promise<{ token: string }> };
        const registry = (globalThis as unknown as Record<symbol, Registry>)[Symbol.for(key)];
        return registry?.stepUp(info, { signal: new AbortController().signal }).then((a) => a.token);
      },
      { key: REGISTRY_KEY, info: service.challenge('chl_registry') },
    );
    const input = page.locator('step-up-challenge [part=input]');
    await input.fill(CODE);
    await input.press('Enter');
    expect(await answer).toBe('step-up-token-for-chl_registry');
    expect(service.calls).toEqual([
      { method: 'GET', path: '/stepgate/v1/challenges/chl_registry' },
      {
        method: 'POST',
        path: '/stepgate/v1/challenges/chl_registry/verify',
        body: { method: 'totp', code: CODE },
      },
    ]);

    const afterRemoval = await page.evaluate((key) => {
      document.querySelector('step-up-challenge')?.remove();
      return (globalThis as unknown as Record<symbol, { stepUp: unknown }>)[Symbol.for(key)]?.stepUp;
    }, REGISTRY_KEY);
    expect(afterRemoval).toBeNull();
    expect(problems).toEqual([]);
  });

  it('exports StepUpChallenge (the defined class) and stepUp() to a page module; stepUp() opens a temporary dialog and rejects with StepUpCancelledError on Cancel', async () => {
    const service = new FakeStepgate();
    const challenge = bundles['step-up-challenge'];
    const { page, problems } = await open({
      bundles: [challenge],
      service,
      body: `<script type="module">
  import { StepUpChallenge, stepUp } from '${bundlePath(challenge)}';
  window.fromBundle = { StepUpChallenge, stepUp };
</script>`,
    });
    expect(
      await page.evaluate(() => {
        const { StepUpChallenge } = (window as unknown as { fromBundle: FromBundle }).fromBundle;
        return StepUpChallenge === customElements.get('step-up-challenge');
      }),
    ).toBe(true);

    const outcome = page.evaluate((info) => {
      const { stepUp } = (window as unknown as { fromBundle: FromBundle }).fromBundle;
      return stepUp(info).then(
        () => 'resolved',
        (e: { name: string; code: string }) => `${e.name} ${e.code}`,
      );
    }, service.challenge('chl_cancel'));
    await page.locator('step-up-challenge [part=input]').waitFor();
    await page.locator('step-up-challenge [part=cancel]').click();
    expect(await outcome).toBe('StepUpCancelledError cancelled');
    expect(await page.evaluate(() => document.querySelectorAll('step-up-challenge').length)).toBe(0);
    expect(problems).toEqual([]);
  });

  it('picking a passkey loads step-up-webauthn.min.js from beside the bundle, and its errors are the element’s own (declined: try again)', async () => {
    const service = new FakeStepgate();
    const challenge = bundles['step-up-challenge'];
    const sibling = bundles['step-up-webauthn'];
    const { page, problems, requested } = await open({
      bundles: [challenge, sibling],
      service,
      body: `<step-up-challenge inline challenge-url="${service.challenge('chl_passkey').challengeUrl}"></step-up-challenge>
${scriptTags(challenge)}`,
    });
    // A virtual authenticator without the requested credential: Chromium answers NotAllowedError.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: { protocol: 'ctap2', transport: 'internal', hasUserVerification: true, isUserVerified: true },
    });
    const el = page.locator('step-up-challenge');
    await el.locator('[data-method=webauthn]').waitFor();
    expect(requested).not.toContain(bundlePath(sibling));
    await el.locator('[data-method=webauthn]').click();
    await el.locator('[part=submit]').click();
    await expect
      .poll(() => el.locator('[part=error]').textContent())
      .toBe('The security check was cancelled or timed out.');
    expect(requested).toContain(bundlePath(sibling));
    expect(service.calls.map((c) => `${c.method} ${c.path}`)).toEqual([
      'GET /stepgate/v1/challenges/chl_passkey',
      'POST /stepgate/v1/challenges/chl_passkey/start',
    ]);
    expect(problems).toEqual([]);
  });

  it('with stepgate-fr.min.js beside it, speaks French in a lang="fr" page (through the shared message registry)', async () => {
    const service = new FakeStepgate();
    const { page, problems } = await open({
      bundles: [bundles['step-up-challenge'], bundles['stepgate-fr']],
      service,
      lang: 'fr',
      body: `<step-up-challenge inline challenge-url="${service.challenge('chl_fr').challengeUrl}"></step-up-challenge>
${scriptTags(bundles['step-up-challenge'], bundles['stepgate-fr'])}`,
    });
    expect(await definedTags(page)).toEqual(['step-up-challenge']);
    const title = page.locator('step-up-challenge [part=title]');
    await page.locator('step-up-challenge [part=input]').waitFor();
    expect(await title.textContent()).toBe('Confirmez votre identité');
    expect(problems).toEqual([]);
  });
});

describe('step-up-enroll.min.js in a page', () => {
  it('defines <step-up-enroll>, which shows the ticket’s enrollment and adds an authenticator app (QR code, confirming code, step-up-factor-added)', async () => {
    const service = new FakeStepgate();
    const enroll = bundles['step-up-enroll'];
    const { page, problems, requested } = await open({
      bundles: [enroll],
      service,
      body: `<step-up-enroll enrollment-url="${service.enrollmentUrl}"></step-up-enroll>
${scriptTags(enroll)}
<script type="module">
  import { StepUpEnroll } from '${bundlePath(enroll)}';
  window.fromBundle = { StepUpEnroll };
</script>`,
    });
    expect(await definedTags(page)).toEqual(['step-up-enroll']);
    await page.evaluate(() => {
      const added: unknown[] = [];
      (window as unknown as { added: unknown[] }).added = added;
      document.addEventListener('step-up-factor-added', (e) =>
        added.push((e as Event & { factor: unknown }).factor),
      );
    });
    const el = page.locator('step-up-enroll');
    await el.locator('[part=add-totp]').click();
    const qr = await el.locator('[part=qr]').getAttribute('src');
    expect(qr).toMatch(/^data:image\//);
    expect(await el.locator('[part=greeting]').textContent()).toBe(`Signed in as ${DISPLAY_NAME}`);
    await el.locator('[part=input]').fill(CODE);
    await el.locator('[part=input]').press('Enter');
    await el.locator('[part=factor]').waitFor();
    expect(await page.evaluate(() => (window as unknown as { added: unknown[] }).added)).toEqual(
      service.factors,
    );
    expect(
      await page.evaluate(() => {
        const { StepUpEnroll } = (window as unknown as { fromBundle: FromBundle }).fromBundle;
        return StepUpEnroll === customElements.get('step-up-enroll');
      }),
    ).toBe(true);
    expect(requested.slice(0, 2)).toEqual(['/', bundlePath(enroll)]);
    expect(requested.slice(2).every((p) => p.startsWith('/stepgate/'))).toBe(true);
    expect(problems).toEqual([]);
  });

  it('carries French: lang="fr" renders French without another script', async () => {
    const service = new FakeStepgate();
    const enroll = bundles['step-up-enroll'];
    const { page, problems } = await open({
      bundles: [enroll],
      service,
      lang: 'fr',
      body: `<step-up-enroll enrollment-url="${service.enrollmentUrl}"></step-up-enroll>\n${scriptTags(enroll)}`,
    });
    expect(await definedTags(page)).toEqual(['step-up-enroll']);
    const greeting = page.locator('step-up-enroll [part=greeting]');
    await greeting.waitFor();
    expect(await greeting.textContent()).toBe(`Connecté en tant que ${DISPLAY_NAME}`);
    expect(problems).toEqual([]);
  });
});

it('all three scripts on one page define both elements and both render, without errors', async () => {
  const service = new FakeStepgate();
  const all = [bundles['step-up-challenge'], bundles['step-up-enroll'], bundles['stepgate-fr']];
  const { page, problems } = await open({
    bundles: all,
    service,
    body: `<step-up-challenge inline challenge-url="${service.challenge('chl_both').challengeUrl}"></step-up-challenge>
<step-up-enroll enrollment-url="${service.enrollmentUrl}"></step-up-enroll>
${scriptTags(...all)}`,
  });
  expect(await definedTags(page)).toEqual(['step-up-challenge', 'step-up-enroll']);
  await page.locator('step-up-challenge [part=input]').waitFor();
  await page.locator('step-up-enroll [part=greeting]').waitFor();
  expect(problems).toEqual([]);
});
