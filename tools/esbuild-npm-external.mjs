// An esbuild `setup` step shared by the scripts that bundle workspace sources for Node (the demo,
// node-client's bench, node-client's process-exit test): npm packages stay external at the file
// URL they resolve to, so pnpm's strict layout keeps working from any output directory; workspace
// packages (`@stepgate/*`) and relative imports are bundled; `node:` built-ins stay as they are.
import { pathToFileURL } from 'node:url';

/**
 * Registers the resolver on an esbuild plugin build.
 *
 * @example
 * const plugin = { name: 'external-npm', setup: (b) => keepNpmExternal(b) };
 * @param {import('esbuild').PluginBuild} b
 */
export function keepNpmExternal(b) {
  b.onResolve({ filter: /^[^./]/ }, async (args) => {
    if (args.pluginData === 'inner' || args.path.startsWith('@stepgate/') || args.path.startsWith('node:'))
      return undefined;
    const resolved = await b.resolve(args.path, {
      kind: args.kind,
      resolveDir: args.resolveDir,
      pluginData: 'inner',
    });
    if (resolved.errors.length > 0) return { errors: resolved.errors };
    return { path: pathToFileURL(resolved.path).href, external: true };
  });
}

/**
 * The esbuild options those scripts share: one ESM bundle for Node 20, workspace packages taken
 * from their TypeScript sources (the `source` export condition).
 *
 * @example
 * await build({ ...NODE_BUNDLE, entryPoints: ['bench.ts'], outfile: 'bench.mjs', plugins: [plugin] });
 */
export const NODE_BUNDLE = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  conditions: ['source'],
};
