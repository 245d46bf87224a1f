// sdk-core benchmark: bundle size (min+gzip, ky excluded) and context collection time in
// headless Chromium (cold = first collection in a freshly loaded page; cached = later calls).
//   pnpm --filter @stepgate/sdk-core bench
import { createServer } from 'node:http';
import os from 'node:os';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import { writeBenchSection } from '../../../tools/bench-report.mjs';
import { chromiumArgs, chromiumPath } from '../../../tools/chromium.mjs';

const pkg = new URL('..', import.meta.url).pathname;
const RUNS = Number(process.env.BENCH_RUNS ?? 100);
const load0 = os.loadavg()[0].toFixed(1);

async function bundle(entry, options = {}) {
  const result = await build({
    entryPoints: [`${pkg}${entry}`],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    conditions: ['source'],
    legalComments: 'none',
    write: false,
    ...options,
  });
  return result.outputFiles[0].contents;
}

async function sizeOf(label, entry, options) {
  const code = await bundle(entry, options);
  return { label, min: code.length, gzip: gzipSync(code, { level: 9 }).length };
}

function stdinEntry(contents) {
  return { stdin: { contents, resolveDir: `${pkg}src`, loader: 'ts' }, entryPoints: undefined };
}

const kb = (n) => `${(n / 1024).toFixed(2)} KB`;
const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return { p50: quantile(s, 0.5), p95: quantile(s, 0.95), max: s[s.length - 1] };
};

const sizes = [
  await sizeOf('`@stepgate/sdk-core` (every export)', 'src/index.ts'),
  await sizeOf(
    'what the widget needs (handler, errors, native signing)',
    '',
    stdinEntry(
      "export { setStepUpHandler, StepUpCancelledError, StepUpError, signWithNativeDeviceKey, detectWebview } from './index.ts';",
    ),
  ),
  await sizeOf(
    'fetch flow (`createStepUpFetch` + `setStepUpHandler`, with context)',
    '',
    stdinEntry("export { createStepUpFetch, setStepUpHandler } from './index.ts';"),
  ),
  await sizeOf('`@stepgate/sdk-core/ky` (ky itself external)', 'src/ky.ts', { external: ['ky'] }),
];

// Timing: serve a bundled page from a tiny local server and drive Chromium with playwright-core.
const pageJs = await bundle('bench/page.ts');
const server = createServer((req, res) => {
  if (req.url === '/bench.js') {
    res.writeHead(200, { 'Content-Type': 'text/javascript' });
    res.end(pageJs);
  } else {
    res.writeHead(200, { 'Content-Type': 'text/html' });
    res.end('<!doctype html><title>sdk-core bench</title><script type="module" src="/bench.js"></script>');
  }
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const url = `http://localhost:${server.address().port}/`;
const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs, headless: true });
const page = await browser.newPage();
const firstVisit = [];
const cold = [];
const cached = [];
const header = [];
let sample;
try {
  const collectOnce = () =>
    page.evaluate(async () => {
      const t = performance.now();
      await globalThis.stepgateBench.collectContext({ timeoutMs: Number.POSITIVE_INFINITY });
      return performance.now() - t;
    });
  const load = async (clearStorage) => {
    await page.goto(url);
    await page.waitForFunction(() => 'stepgateBench' in globalThis);
    if (clearStorage) await page.evaluate(() => localStorage.clear());
  };
  for (let i = 0; i < RUNS; i++) {
    await load(true);
    firstVisit.push(await collectOnce());
    await load(false);
    cold.push(await collectOnce());
  }
  const warm = await page.evaluate(async (runs) => {
    const b = globalThis.stepgateBench;
    const out = { cached: [], header: [], sample: await b.collectContext() };
    for (let i = 0; i < runs; i++) {
      let t = performance.now();
      await b.collectContext();
      out.cached.push(performance.now() - t);
      t = performance.now();
      await b.getContextHeader();
      out.header.push(performance.now() - t);
    }
    return out;
  }, RUNS);
  cached.push(...warm.cached);
  header.push(...warm.header);
  sample = warm.sample;
} finally {
  await browser.close();
  server.close();
}

const ms = (x) => `${x.toFixed(2)} ms`;
const row = (label, xs) => {
  const s = stats(xs);
  return `| ${label} | ${ms(s.p50)} | ${ms(s.p95)} | ${ms(s.max)} |`;
};
const markdown = `## sdk-core

Bundle size (esbuild, minified, gzip level 9; ky is never bundled):

| bundle | min | min+gzip |
|---|---|---|
${sizes.map((s) => `| ${s.label} | ${kb(s.min)} | ${kb(s.gzip)} |`).join('\n')}

Context collection in headless Chromium (${RUNS} runs each, no time budget). *First visit*: the
first \`collectContext()\` in a freshly loaded page with empty storage (it creates a WebGL context);
*new page load*: the same with the 7-day WebGL renderer cache in localStorage; *cached*: later
calls in the same page. Targets (docs/design/README.md): p95 ≤ 100 ms cold, ≤ 5 ms cached. Load average
during the run: ${load0} → ${os.loadavg()[0].toFixed(1)} (other jobs share the ${os.cpus().length} cores).

| measurement | p50 | p95 | max |
|---|---|---|---|
${row('first visit `collectContext()`', firstVisit)}
${row('new page load `collectContext()`', cold)}
${row('cached `collectContext()`', cached)}
${row('cached `getContextHeader()` (collect + encode)', header)}

WebGL renderer seen: \`${sample?.signals?.webgl ?? 'none'}\`; platform authenticator: ${sample?.signals?.platformAuthenticator}.`;

console.log(markdown);
writeBenchSection('sdk-core', markdown);
