import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { stringify } from 'yaml';

const run = promisify(execFile);

/** A master key shared by every replica (as `STEPGATE_MASTER_KEY`). */
export const MASTER_KEY = Buffer.alloc(32, 9).toString('base64url');

/** Writes `stepgate.yaml` and `policies.yaml` for replicas on PostgreSQL + Redis. */
export function writeReplicaConfig(
  dir: string,
  store: { url: string; redis: string; prefix: string },
  policy: string,
  extra: Record<string, unknown> = {},
): void {
  writeFileSync(join(dir, 'policies.yaml'), policy);
  writeFileSync(
    join(dir, 'stepgate.yaml'),
    stringify({
      audiences: ['default'],
      policies: ['policies.yaml'],
      dataDir: 'data',
      logLevel: 'warn',
      store: { type: 'postgres', ...store, migrate: true },
      ...extra,
    }),
  );
}

/** Runs the bundled CLI in `dir`. */
export async function stepgate(cli: string, dir: string, args: string[]) {
  return run(process.execPath, [cli, ...args], {
    cwd: dir,
    env: { ...process.env, STEPGATE_MASTER_KEY: MASTER_KEY },
  });
}

/** A running `stepgate serve` child. */
export interface Replica {
  url: string;
  child: ChildProcess;
  /** SIGTERM and wait. */
  stop(): Promise<void>;
}

/** Starts `stepgate serve --port 0` in `dir`; resolves once it listens. */
export async function startReplica(cli: string, dir: string): Promise<Replica> {
  const child = spawn(process.execPath, [cli, 'serve', '--port', '0'], {
    cwd: dir,
    env: { ...process.env, STEPGATE_MASTER_KEY: MASTER_KEY },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = once(child, 'exit');
  // `stepgate serve` writes JSON log lines; the `start` event carries the URL.
  const START = /"event":"start"[^\n]*?"url":"([^"]+)"/;
  while (!START.test(output)) {
    const winner = await Promise.race([once(child.stdout!, 'data'), exited.then(() => 'exit' as const)]);
    if (winner === 'exit') throw new Error(`stepgate serve exited before listening: ${output}`);
  }
  return {
    url: START.exec(output)![1]!,
    child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** A JSON call to a replica with an API key. */
export function caller(apiKey: string) {
  return async (url: string, method: string, path: string, body?: unknown) => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${apiKey}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    // biome-ignore lint/suspicious/noExplicitAny: answers are JSON checked by each assertion
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as any };
  };
}

/** Waits until `check` holds, polling every 100 ms, at most `ms`. */
export async function eventually(check: () => Promise<boolean>, ms = 15_000): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    if (await check()) return;
    if (Date.now() > until) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}
