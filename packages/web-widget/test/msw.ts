/**
 * The msw worker of a test page (served by tools/wtr-plugins.mjs at /mockServiceWorker.js) and
 * small helpers shared by the mocks and the tests.
 */
import { executeServerCommand } from '@web/test-runner-commands';
import { setupWorker } from 'msw/browser';

/** The one msw worker of a test page. */
export const worker = setupWorker();
let started: Promise<unknown> | undefined;

/** Where the mocked service (the app's proxy) lives. */
export const BASE = `${location.origin}/stepgate`;

/** Starts the worker once per page; handlers are reset after each test. */
export function startWorker(): Promise<unknown> {
  started ??= worker.start({
    quiet: true,
    onUnhandledRequest: 'error',
    serviceWorker: { url: '/mockServiceWorker.js' },
  });
  return started;
}

/** `n` random bytes as base64url. */
export function randomB64u(n: number): string {
  const bytes = crypto.getRandomValues(new Uint8Array(n));
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

/** Decodes a WebAuthn `clientDataJSON` (base64url). */
export function readClientData(b64u: string): { type?: string; challenge?: string; origin?: string } {
  return JSON.parse(atob(b64u.replace(/-/g, '+').replace(/_/g, '/')));
}

/** Adds a CDP virtual authenticator (tools/wtr-plugins.mjs) and returns its id. */
export async function addVirtualAuthenticator(options: Record<string, unknown> = {}): Promise<string> {
  const result = await executeServerCommand<{ authenticatorId: string }, Record<string, unknown>>(
    'add-virtual-authenticator',
    options,
  );
  if (!result?.authenticatorId) throw new Error('no virtual authenticator');
  return result.authenticatorId;
}

/** Removes a virtual authenticator. */
export async function removeVirtualAuthenticator(authenticatorId: string): Promise<void> {
  await executeServerCommand('remove-virtual-authenticator', { authenticatorId });
}
