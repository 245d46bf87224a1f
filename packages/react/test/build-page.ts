/**
 * Bundles a React page for Chromium with esbuild, in memory: test/app/main.tsx mounting either the
 * README's example (its ```tsx block, extracted at test time) or test/app/test-app.tsx.
 * Workspace packages resolve to their sources (the `source` condition), React to its
 * production build.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';

const pkgDir = fileURLToPath(new URL('../', import.meta.url));

/** The README's first ```tsx block. */
export function readmeExample(): string {
  const block = /```tsx\n([\s\S]*?)\n```/.exec(readFileSync(`${pkgDir}README.md`, 'utf8'));
  if (!block?.[1]) throw new Error('README.md has no ```tsx block');
  return block[1];
}

/** The page's script: `main.tsx` with `page-under-test` resolved to `source`. */
export async function buildPage(source: { readme: string } | 'test-app'): Promise<string> {
  const pick: Plugin = {
    name: 'page-under-test',
    setup(b) {
      b.onResolve({ filter: /^page-under-test$/ }, () =>
        source === 'test-app'
          ? { path: `${pkgDir}test/app/test-app-entry.tsx`, namespace: 'page' }
          : { path: `${pkgDir}README.md#tsx`, namespace: 'page' },
      );
      b.onLoad({ filter: /.*/, namespace: 'page' }, () => ({
        contents:
          source === 'test-app' ? `export { TestApp as App } from './test/app/test-app.tsx';` : source.readme,
        loader: 'tsx',
        resolveDir: pkgDir,
      }));
    },
  };
  const result = await build({
    entryPoints: [`${pkgDir}test/app/main.tsx`],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    jsx: 'automatic',
    conditions: ['source'],
    alias: { '@stepgate/react': `${pkgDir}src/index.ts` },
    define: { 'process.env.NODE_ENV': '"production"' },
    plugins: [pick],
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

/** The HTML page around the script. */
export const pageHtml = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>React</title></head>
<body><div id="root"></div><script type="module" src="/app.js"></script></body></html>`;
