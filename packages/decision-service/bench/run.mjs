// `pnpm --filter @stepgate/decision-service bench`: builds the TypeScript bench entries with
// esbuild (workspace packages from source, npm packages external) and runs bench/bench.ts.
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const outDir = join(here, '..', 'node_modules', '.stepgate-bench');
mkdirSync(outDir, { recursive: true });

const externalNpm = {
  name: 'external-npm',
  setup(b) {
    b.onResolve({ filter: /bench-report\.mjs$/ }, (args) => ({
      path: pathToFileURL(join(args.resolveDir, args.path)).href,
      external: true,
    }));
    b.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path.startsWith('@stepgate/') ? undefined : { path: args.path, external: true },
    );
  },
};

for (const name of ['bench', 'server', 'replicas', 'replica-server', 'backtest']) {
  await build({
    entryPoints: [join(here, `${name}.ts`)],
    outfile: join(outDir, `${name}.mjs`),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    conditions: ['source'],
    plugins: [externalNpm],
    logLevel: 'warning',
  });
}
// BENCH_ONLY=replicas or BENCH_ONLY=backtest runs only that part (each writes its own section).
const only = process.env.BENCH_ONLY;
if (only === undefined || only === '') await import(pathToFileURL(join(outDir, 'bench.mjs')).href);
if (only !== 'backtest') await import(pathToFileURL(join(outDir, 'replicas.mjs')).href);
if (only !== 'replicas') await import(pathToFileURL(join(outDir, 'backtest.mjs')).href);
