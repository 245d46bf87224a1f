/**
 * `pnpm demo` runs this (bundled by tools/demo.mjs): Acme Bank on http://localhost:3000.
 *   PORT=4000 pnpm demo     another port
 *   pnpm demo --reset       start again from the demo users (deletes .stepgate-demo/data)
 *   STEPGATE_DEMO_DIR=/tmp/x pnpm demo   keep the data elsewhere
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { startDemo } from './start-demo.js';

/**
 * Parses `PORT` (0–65535; 0 picks a free port). @defaultValue 3000
 * @throws Error for anything else.
 */
export function portFrom(value: string | undefined): number {
  if (value === undefined || value === '') return 3000;
  const n = Number(value);
  if (!/^\d{1,5}$/.test(value) || n > 65_535) throw new Error(`PORT must be 0–65535, got ${value}`);
  return n;
}

/** Starts the demo from the command line; stops it on SIGINT/SIGTERM. */
export async function main(rootDir: string, argv: string[]): Promise<void> {
  const dataDir = process.env.STEPGATE_DEMO_DIR || join(rootDir, '.stepgate-demo', 'data');
  const reset = argv.includes('--reset');
  if (reset) rmSync(dataDir, { recursive: true, force: true });
  // Signals are handled before anything is printed: whoever reads the URL may stop the demo at
  // once, and a SIGINT that arrived before the handler would kill it without closing the store.
  let demo: Awaited<ReturnType<typeof startDemo>> | undefined;
  let stopping: string | undefined;
  const close = () => {
    demo!.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = signal;
    console.log(`\n  ${signal}: stopping…`);
    // Still starting: the start finishes first, then closes what it opened.
    if (demo) close();
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  demo = await startDemo({ port: portFrom(process.env.PORT), dataDir });
  if (stopping) return close();
  const carol = demo.seed.totp.carol
    ? '\n  carol   email code + an authenticator app (the page shows her phone)'
    : '';
  console.log(`
  Acme Bank — the Stepgate demo${reset ? ' (reset)' : ''}

  Open ${demo.url}
  First step of the tour: sign in as Bob, then send 900 € — the policy asks for a code,
  which arrives in the page's mailbox panel. (README.md "A five-minute tour" has the rest.)

  Demo users (sign in with one click):
  alice   admin, email code
  bob     customer, email code${carol}

  Decision service: ${demo.service.url}   data: ${dataDir}
  Operator console: ${demo.service.url}/console   admin key: ${demo.service.adminKey}
  Policies: demo/policies.yaml (edit it: the service reloads it).  Ctrl-C stops; --reset starts over.
`);
}
