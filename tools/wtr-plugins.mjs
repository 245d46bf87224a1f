// Server-side plugins for @web/test-runner. Packages register browser-test helpers here
// (for example, a command that adds a CDP virtual WebAuthn authenticator to the page).

import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { build } from 'esbuild';
export function wtrPlugins() {
  return [virtualAuthenticatorPlugin(), cjsAsEsmPlugin(), mswWorkerPlugin()];
}

// --- web-widget: CDP virtual WebAuthn authenticator (CONTRIBUTING.md) ---------------------------
// Browser side: `executeServerCommand('add-virtual-authenticator', { hasResidentKey: true, … })`
// → `{ authenticatorId }`; `remove-virtual-authenticator` `{ authenticatorId }`;
// `virtual-authenticator-credentials` `{ authenticatorId }` → `{ credentials }`.
// Reaches the page through the chrome launcher's puppeteer page and a CDP session.
export function virtualAuthenticatorPlugin() {
  const sessions = new Map();
  async function cdpFor(session) {
    let cdp = sessions.get(session.id);
    if (!cdp) {
      const page = session.browser.getPage?.(session.id);
      if (!page) throw new Error('add-virtual-authenticator needs the chrome (puppeteer) launcher');
      cdp = await page.createCDPSession();
      await cdp.send('WebAuthn.enable', { enableUI: false });
      sessions.set(session.id, cdp);
    }
    return cdp;
  }
  return {
    name: 'stepgate-virtual-authenticator',
    async executeCommand({ command, payload, session }) {
      if (command === 'add-virtual-authenticator') {
        const cdp = await cdpFor(session);
        const options = {
          protocol: 'ctap2',
          transport: 'internal',
          hasResidentKey: true,
          hasUserVerification: true,
          isUserVerified: true,
          automaticPresenceSimulation: true,
          ...(payload ?? {}),
        };
        return cdp.send('WebAuthn.addVirtualAuthenticator', { options });
      }
      if (command === 'remove-virtual-authenticator') {
        await (await cdpFor(session)).send('WebAuthn.removeVirtualAuthenticator', payload);
        return true;
      }
      if (command === 'virtual-authenticator-credentials') {
        return (await cdpFor(session)).send('WebAuthn.getCredentials', payload);
      }
      return undefined;
    },
  };
}

// --- web-widget: CommonJS-only test dependencies (ajv) served as one ES module ---------------
// The dev server serves ES modules only; a bare import of one of `names` is bundled by esbuild.
export function cjsAsEsmPlugin(names = ['ajv', 'ajv-formats']) {
  const require = createRequire(new URL('../packages/web-widget/package.json', import.meta.url));
  const cache = new Map();
  const prefix = '/__stepgate-cjs/';
  return {
    name: 'stepgate-cjs-as-esm',
    resolveImport({ source }) {
      return names.includes(source) ? `${prefix}${source}.js` : undefined;
    },
    serve(context) {
      if (!context.path.startsWith(prefix)) return undefined;
      const name = context.path.slice(prefix.length, -'.js'.length);
      if (!names.includes(name)) return undefined;
      if (!cache.has(name)) {
        const entry = require.resolve(name);
        const contents = `import m from ${JSON.stringify(entry)}; export default m; export const Ajv = m.Ajv;`;
        cache.set(
          name,
          build({
            stdin: { contents, resolveDir: process.cwd() },
            bundle: true,
            format: 'esm',
            write: false,
          }).then((r) => r.outputFiles[0].text),
        );
      }
      return cache.get(name).then((body) => ({ body, type: 'js' }));
    },
  };
}

// --- sdk-core: msw's service worker, served at the root so `setupWorker().start()` finds it ------
export function mswWorkerPlugin() {
  const file = new URL('../node_modules/msw/lib/mockServiceWorker.js', import.meta.url);
  return {
    name: 'stepgate-msw-worker',
    async serve(context) {
      if (context.path !== '/mockServiceWorker.js') return undefined;
      return { body: await readFile(file, 'utf8'), type: 'js', headers: { 'Service-Worker-Allowed': '/' } };
    },
  };
}
