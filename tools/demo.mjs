#!/usr/bin/env node
// `pnpm demo`: Acme Bank, the Stepgate demo (demo/README.md). Bundles demo/src/server with esbuild
// — workspace packages from their TypeScript sources (the `source` condition), so no `pnpm build`
// is needed — and runs it: the decision service in-process plus the bank app on localhost:3000.
//   PORT=4000 pnpm demo        another port
//   pnpm demo --reset          forget the previous run's data (.stepgate-demo/data)
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { keepNpmExternal, NODE_BUNDLE } from './esbuild-npm-external.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, '.stepgate-demo');
mkdirSync(outDir, { recursive: true });

// npm packages stay external at the path they resolve to (pnpm's strict layout keeps working);
// workspace sources are bundled, with `import.meta.url` kept as each source file's own URL so
// their relative look-ups (policy files, the page sources, better-sqlite3) still work.
const workspaceSources = {
  name: 'workspace-sources',
  setup(b) {
    keepNpmExternal(b);
    b.onLoad({ filter: /\.ts$/ }, async (args) => {
      const { readFile } = await import('node:fs/promises');
      const text = await readFile(args.path, 'utf8');
      const url = JSON.stringify(pathToFileURL(args.path).href);
      return { contents: text.replaceAll('import.meta.url', url), loader: 'ts' };
    });
  },
};
// One file per run, removed once loaded: two runs (or a run and the tests) never share it.
const bundle = join(outDir, `demo-server-${process.pid}.mjs`);
await build({
  entryPoints: [join(root, 'demo/src/server/main.ts')],
  outfile: bundle,
  ...NODE_BUNDLE,
  plugins: [workspaceSources],
  logLevel: 'warning',
});
const { main } = await import(pathToFileURL(bundle).href).finally(() => rmSync(bundle, { force: true }));
await main(root, process.argv.slice(2));
