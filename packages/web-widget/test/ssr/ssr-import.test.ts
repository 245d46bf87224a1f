/**
 * Server-side rendering (Next.js, Remix, Astro, Nuxt) imports the widget in Node before any
 * browser exists: the module graph must load without `document`, `window` or `customElements`
 * (issue 19). Each entry is bundled for Node with esbuild (as a framework's server build does)
 * and run in a plain `node` child process, with no DOM shim of ours.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const pkg = fileURLToPath(new URL('../..', import.meta.url));
let dir = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stepgate-ssr-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Bundles `source` for Node (the `node` condition first, as Node itself resolves) and runs it. */
async function runInNode(name: string, source: string): Promise<string> {
  const entry = join(dir, `${name}.mjs`);
  const out = join(dir, `${name}.out.mjs`);
  await writeFile(entry, source);
  await build({
    entryPoints: [entry],
    outfile: out,
    bundle: true,
    platform: 'node',
    format: 'esm',
    conditions: ['source', 'node'],
    nodePaths: [join(pkg, 'node_modules')],
    logLevel: 'silent',
  });
  const { stdout } = await run(process.execPath, [out], { cwd: dir });
  return stdout.trim();
}

describe('importing @stepgate/web-widget in Node (SSR)', () => {
  it('the main entry loads, exports its helpers, and defines nothing', async () => {
    const out = await runInNode(
      'main',
      `import * as w from '${join(pkg, 'src/index.ts')}';
console.log(JSON.stringify({ tag: w.TAG_CHALLENGE, element: typeof w.StepUpChallenge, ce: typeof globalThis.customElements }));`,
    );
    expect(JSON.parse(out)).toMatchObject({ tag: 'step-up-challenge', element: 'function' });
  });

  it('the enroll entry loads too', async () => {
    const out = await runInNode(
      'enroll',
      `import * as w from '${join(pkg, 'src/enroll/index.ts')}';
console.log(typeof w.StepUpEnroll);`,
    );
    expect(out).toBe('function');
  });
});
