// `pnpm --filter @stepgate/decision-service bench:ab <git ref>`: the decision service of <ref>
// ("before") and of this checkout ("after") side by side. This machine's speed drifts by up to 2×
// within minutes, so two whole `pnpm bench` runs made one after the other cannot show a change of a
// few percent; two service processes on the same core, loaded in alternating rounds, can
// (bench/ab.ts). Both are built from source: <ref>'s tree comes from `git archive` into a temporary
// directory and is bundled with this checkout's npm packages (the two must share dependencies).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
// @ts-expect-error: a plain .mjs tool without types
import { keepNpmExternal, NODE_BUNDLE } from '../../../tools/esbuild-npm-external.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..', '..');
const ref = process.argv[2];
if (!ref) {
  console.error('usage: pnpm --filter @stepgate/decision-service bench:ab <git ref>   (e.g. HEAD~1, main)');
  process.exit(2);
}
const commit = execFileSync('git', ['rev-parse', '--verify', `${ref}^{commit}`], {
  cwd: root,
  encoding: 'utf8',
}).trim();
const outDir = join(here, '..', 'node_modules', '.stepgate-ab');
const beforeRoot = mkdtempSync(join(tmpdir(), 'stepgate-ab-'));

/**
 * Resolves imports of a tree that has no node_modules of its own (the archived <ref>) as this
 * checkout would, then maps the answer back into that tree: `@stepgate/*` packages to <ref>'s own
 * sources, npm packages to this checkout's files (kept external, as the bench does).
 */
function archivedTree(treeRoot) {
  const toHere = (dir) => join(root, relative(treeRoot, dir));
  return {
    name: 'archived-tree',
    setup(b) {
      b.onResolve({ filter: /^@stepgate\// }, async (args) => {
        if (args.pluginData === 'inner') return undefined;
        const resolved = await b.resolve(args.path, {
          kind: args.kind,
          resolveDir: toHere(args.resolveDir),
          pluginData: 'inner',
        });
        if (resolved.errors.length > 0) return { errors: resolved.errors };
        return { path: join(treeRoot, relative(root, resolved.path)) };
      });
      b.onResolve({ filter: /^[^./]/ }, async (args) => {
        if (args.pluginData === 'inner' || args.path.startsWith('node:')) return undefined;
        const resolved = await b.resolve(args.path, {
          kind: args.kind,
          resolveDir: args.resolveDir.startsWith(treeRoot + sep) ? toHere(args.resolveDir) : args.resolveDir,
          pluginData: 'inner',
        });
        if (resolved.errors.length > 0) return { errors: resolved.errors };
        return { path: pathToFileURL(resolved.path).href, external: true };
      });
    },
  };
}

try {
  execFileSync('sh', ['-c', `git archive ${commit} | tar -x -C "${beforeRoot}"`], { cwd: root });
  mkdirSync(outDir, { recursive: true });
  const bench = (tree) => join(tree, 'packages', 'decision-service', 'bench');
  const plain = { name: 'external-npm', setup: (b) => keepNpmExternal(b) };
  await build({
    ...NODE_BUNDLE,
    entryPoints: [join(bench(beforeRoot), 'server.ts')],
    outfile: join(outDir, 'before', 'server.mjs'),
    plugins: [archivedTree(beforeRoot)],
    logLevel: 'warning',
  });
  for (const entry of ['server', 'ab']) {
    await build({
      ...NODE_BUNDLE,
      entryPoints: [join(bench(root), `${entry}.ts`)],
      outfile: join(outDir, entry === 'server' ? 'after' : '.', `${entry}.mjs`),
      plugins: [plain],
      logLevel: 'warning',
    });
  }
} finally {
  rmSync(beforeRoot, { recursive: true, force: true });
}
const run = spawnSync(process.execPath, [join(outDir, 'ab.mjs'), commit.slice(0, 12)], { stdio: 'inherit' });
process.exit(run.status ?? 1);
