// `pnpm --filter @stepgate/decision-service bench`: builds the TypeScript bench entries with
// esbuild (workspace packages from source, npm packages external) and runs bench/bench.ts.
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
// @ts-expect-error: a plain .mjs tool without types
import { NODE_BUNDLE } from '../../../tools/esbuild-npm-external.mjs';

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

for (const name of ['bench', 'server', 'profile', 'replicas', 'replica-server', 'backtest']) {
  await build({
    entryPoints: [join(here, `${name}.ts`)],
    outfile: join(outDir, `${name}.mjs`),
    ...NODE_BUNDLE,
    plugins: [externalNpm],
    logLevel: 'warning',
    // bench/profile.ts maps the server's frames back to the workspace sources.
    sourcemap: name === 'server' ? 'linked' : false,
  });
}
// BENCH_ONLY=<part> runs only that part (each writes its own section): bench, profile,
// replicas or backtest.
const only = process.env.BENCH_ONLY || undefined;
for (const part of ['bench', 'profile', 'replicas', 'backtest']) {
  if (only === undefined || only === part) await import(pathToFileURL(join(outDir, `${part}.mjs`)).href);
}
