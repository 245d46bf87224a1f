import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/** The page scripts, bundled in memory: `app.js` (the bank) and `embed.js` (the webview page). */
export type WebBundle = ReadonlyMap<string, string>;

const webDir = fileURLToPath(new URL('../web/', import.meta.url));

/**
 * Bundles demo/src/web with esbuild, resolving workspace packages to their TypeScript sources
 * (the `source` condition), so the demo needs no `pnpm build` first.
 *
 * @throws esbuild's error when a page does not compile.
 */
export async function bundleWeb(): Promise<WebBundle> {
  const result = await build({
    entryPoints: { app: `${webDir}app.ts`, embed: `${webDir}embed.ts` },
    bundle: true,
    write: false,
    outdir: '/web',
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    conditions: ['source'],
    minify: true,
    sourcemap: false,
    logLevel: 'warning',
  });
  return new Map(result.outputFiles.map((f) => [f.path.slice('/web/'.length), f.text]));
}
