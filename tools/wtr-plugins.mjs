// Server-side plugins for @web/test-runner. Packages register browser-test helpers here
// (for example, a command that adds a CDP virtual WebAuthn authenticator to the page).
import { readFile } from 'node:fs/promises';
export function wtrPlugins() {
  return [mswWorkerPlugin()];
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
