import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs tool without types
import { keepNpmExternal, NODE_BUNDLE } from '../../../tools/esbuild-npm-external.mjs';
import { allowAnswer } from './support/fixtures.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** npm packages stay external, at the path they resolve to (pnpm's layout), as bench/run.mjs does. */
const externalNpm: Plugin = { name: 'external-npm', setup: (b) => keepNpmExternal(b) };

/** A script that makes one decision and returns: it must then exit on its own. */
const SCRIPT = `
import { createStepgate } from './src/index.ts';
const stepgate = createStepgate({ serviceUrl: process.env.SERVICE_URL, apiKey: 'sk_test_0123456789' });
const verdict = await stepgate.decide({ subject: { id: 'u' }, action: { name: 'a.b' } });
console.log(verdict.decision);
`;

describe('a process that uses the client', () => {
  // The service keeps idle connections for a minute: a client socket that held the event loop would
  // keep the script alive that long.
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () =>
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(allowAnswer())),
    );
  });
  server.keepAliveTimeout = 60_000;
  let dir = '';
  let url = '';
  beforeAll(async () => {
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    dir = await mkdtemp(join(tmpdir(), 'stepgate-exit-'));
    await build({
      stdin: { contents: SCRIPT, resolveDir: root, loader: 'ts' },
      outfile: join(dir, 'script.mjs'),
      ...NODE_BUNDLE,
      plugins: [externalNpm],
      logLevel: 'silent',
    });
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await rm(dir, { recursive: true, force: true });
  });

  it('exits by itself after its calls: the default transport holds no ref’d handle', async () => {
    const started = performance.now();
    const { code, stdout } = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
      const child = execFile(
        process.execPath,
        [join(dir, 'script.mjs')],
        { env: { ...process.env, SERVICE_URL: url }, timeout: 20_000 },
        (error, out) =>
          resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout: out }),
      );
      child.stdin?.end();
    });
    expect(stdout.trim()).toBe('allow');
    expect(code).toBe(0);
    // Far below the service's 60 s keep-alive, and the 20 s kill timeout.
    expect(performance.now() - started).toBeLessThan(10_000);
  });
});
