// Builds bench/guard-latency.ts with esbuild (workspace packages from their TypeScript sources, every
// npm package left external at its resolved path, so pnpm's strict layout keeps working) and runs it.
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
// @ts-expect-error: a plain .mjs tool without types
import { keepNpmExternal, NODE_BUNDLE } from '../../../tools/esbuild-npm-external.mjs';

const here = dirname(fileURLToPath(import.meta.url));
// Written inside the decision service's package: its audit writer and WAL checkpointer threads
// resolve better-sqlite3 from the module's own location (createRequire(import.meta.url)), and
// node-client itself does not depend on better-sqlite3.
const outfile = join(
  here,
  '..',
  '..',
  'decision-service',
  'node_modules',
  '.stepgate-bench',
  'node-client-bench.mjs',
);
mkdirSync(dirname(outfile), { recursive: true });

const externalNpm = {
  name: 'external-npm',
  setup(b) {
    // The report writer finds docs/ from its own location: keep it a separate module.
    b.onResolve({ filter: /bench-report\.mjs$/ }, (args) => ({
      path: pathToFileURL(join(args.resolveDir, args.path)).href,
      external: true,
    }));
    keepNpmExternal(b);
  },
};

await build({
  entryPoints: [process.argv[2] ?? join(here, 'guard-latency.ts')],
  outfile,
  ...NODE_BUNDLE,
  plugins: [externalNpm],
  logLevel: 'warning',
});
await import(pathToFileURL(outfile).href);
