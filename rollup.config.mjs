// One rollup config that builds every package: ESM per source module (declarations come from
// `tsc -b`, so each dist/foo.js sits beside dist/foo.d.ts), plus minified standalone bundles for
// packages that declare them (the widget's <script>-tag builds). esbuild does all transpiling;
// terser only squeezes the standalone bundles.
//   rollup -c                          every package
//   rollup -c --environment PKG:name   one package (used by each package's own `build` script)
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import nodeResolve from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import esbuild from 'rollup-plugin-esbuild';

const root = dirname(fileURLToPath(import.meta.url));
const only = process.env.PKG;
const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);

function packageDirs() {
  return readdirSync(join(root, 'packages'), { withFileTypes: true })
    .filter((d) => d.isDirectory() && (!only || d.name === only))
    .map((d) => join(root, 'packages', d.name));
}

/** Source files named by the package's `exports` (`source` condition) and `stepgate.entries`. */
function entriesOf(dir, pkg) {
  const entries = {};
  for (const [subpath, target] of Object.entries(pkg.exports ?? {})) {
    if (typeof target !== 'object' || !target.source) continue;
    entries[subpath === '.' ? 'index' : subpath.slice(2)] = resolve(dir, target.source);
  }
  for (const [name, file] of Object.entries(pkg.stepgate?.entries ?? {})) entries[name] = resolve(dir, file);
  return entries;
}

/**
 * package.json `stepgate.lazy`: `{ "./src/x.ts": { "bundle": "sibling", "exports": ["f"] } }`. In
 * every standalone bundle but `sibling` itself, an import of src/x.ts becomes a shim whose async
 * functions `f` load `./sibling.min.js` on their first call (a relative import() resolves against
 * the bundle's own URL), so rarely used code stays out of the size-budgeted bundle.
 */
function lazySiblings(dir, lazy, name) {
  const byPath = new Map(Object.entries(lazy).map(([file, spec]) => [resolve(dir, file), spec]));
  // The shim sits (virtually) in src/standalone/, beside lazy-fetch.ts: its `./sibling.min.js`
  // is rendered as is, like lazy-fetch's, since dist/standalone/ mirrors that directory.
  const shims = new Map();
  return {
    name: 'stepgate-lazy-siblings',
    async resolveId(source, importer, options) {
      if (!importer || byPath.size === 0 || shims.has(source)) return shims.has(source) ? source : null;
      const resolved = await this.resolve(source, importer, { ...options, skipSelf: true });
      const spec = resolved && byPath.get(resolved.id);
      if (!spec || spec.bundle === name) return null;
      const id = resolve(dir, 'src', 'standalone', `${spec.bundle}.lazy.js`);
      shims.set(id, spec);
      return id;
    },
    load(id) {
      const spec = shims.get(id);
      if (!spec) return null;
      const sibling = JSON.stringify(`./${spec.bundle}.min.js`);
      return spec.exports
        .map((f) => `export const ${f} = (...a) => import(${sibling}).then((m) => m.${f}(...a));`)
        .join('\n');
    },
  };
}

function configsFor(dir) {
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const deps = Object.keys({ ...pkg.dependencies, ...pkg.peerDependencies });
  const isExternal = (id) => builtins.has(id) || deps.some((d) => id === d || id.startsWith(`${d}/`));
  const configs = [
    {
      input: Object.values(entriesOf(dir, pkg)),
      external: isExternal,
      plugins: [esbuild({ target: 'es2022', tsconfig: join(dir, 'tsconfig.json') })],
      output: {
        dir: join(dir, 'dist'),
        format: 'es',
        preserveModules: true,
        preserveModulesRoot: join(dir, 'src'),
        sourcemap: true,
      },
    },
  ];
  // Standalone bundles: everything inlined (lit, @simplewebauthn/browser, sdk-core, protocol), minified.
  for (const [name, file] of Object.entries(pkg.stepgate?.standalone ?? {})) {
    configs.push({
      input: resolve(dir, file),
      // A sibling bundle (`import('./step-up-fetch.min.js')`) is loaded at run time from beside
      // this one, never inlined.
      external: (id) => /^\.\/[\w-]+\.min\.js$/.test(id),
      plugins: [
        lazySiblings(dir, pkg.stepgate?.lazy ?? {}, name),
        // `production` named here: without it node-resolve picks `development` whenever NODE_ENV is
        // set and not "production" (vitest sets "test"), and Lit's dev build (+13 KB) gets in.
        nodeResolve({
          browser: true,
          exportConditions: ['source', 'browser', 'production', 'import', 'default'],
        }),
        esbuild({
          target: 'es2022',
          minify: true,
          legalComments: 'none',
          tsconfig: join(dir, 'tsconfig.json'),
        }),
        // A second, safe terser pass over esbuild's output: about 2.5% less gzip for the
        // size-budgeted <script> bundles (docs/design/trade-offs.md: challenge bundle ≤ 15 KB).
        terser({ module: true, ecma: 2020, compress: { passes: 2 }, format: { comments: false } }),
      ],
      output: { file: join(dir, 'dist', 'standalone', `${name}.min.js`), format: 'es', sourcemap: true },
    });
  }
  return configs;
}

export default packageDirs().flatMap(configsFor);
