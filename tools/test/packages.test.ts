/**
 * The packages as an outside team gets them (issue 20): every package built, packed with `pnpm pack`
 * and installed from the tarballs with plain npm into a fresh project, then used the way apps use
 * them: `require()` from CommonJS (NestJS, Jest in CJS mode), `import` from ESM, and the public
 * types compiled with `skipLibCheck: false` and without any of our dev dependencies.
 */
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import semver from 'semver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = new URL('../..', import.meta.url).pathname;
/** Node versions that can `require()` an ES module without a flag; CI runs Node 20. */
const NODE_ENGINES = '^20.19.0 || >=22.12.0';
/** better-sqlite3 ships (and builds for) the Node majors it lists, up to 26. */
const ENGINES_OF: Record<string, string> = { 'decision-service': '^20.19.0 || >=22.12.0 <27' };
const enginesOf = (name: string) => ENGINES_OF[name] ?? NODE_ENGINES;
const PACKAGES = [
  'protocol',
  'policy-engine',
  'decision-service',
  'node-client',
  'sdk-core',
  'web-widget',
  'react',
];
/** Entry points that load in Node (the browser packages need a DOM to evaluate). */
const NODE_ENTRIES = [
  '@stepgate/protocol',
  '@stepgate/policy-engine',
  '@stepgate/decision-service',
  '@stepgate/node-client',
  '@stepgate/node-client/express',
  '@stepgate/node-client/fastify',
  '@stepgate/node-client/fetch',
];
/**
 * Runtime dependencies whose engines do not cover ours yet, each with why. The test fails when one
 * is fixed so the entry is removed with the fix.
 */
const KNOWN_ENGINE_GAPS: Record<string, string> = {};

type Manifest = {
  name: string;
  version: string;
  engines?: { node?: string };
  exports?: Record<string, unknown>;
  dependencies?: Record<string, string>;
  files?: string[];
  repository?: unknown;
  homepage?: string;
  bugs?: unknown;
  keywords?: string[];
};

/** Whether every Node release in `ours` (sampled by major.minor, 18 to 40) satisfies `theirs`. */
function covers(theirs: string, ours: string): boolean {
  for (let major = 18; major <= 40; major++) {
    for (let minor = 0; minor <= 40; minor++) {
      const v = `${major}.${minor}.0`;
      if (semver.satisfies(v, ours) && !semver.satisfies(v, theirs)) return false;
    }
  }
  return true;
}

let work: string;
let app: string;
const tarballs = new Map<string, string>();
const manifests = new Map<string, Manifest>();
const contents = new Map<string, string[]>();

const run = (cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) =>
  execFileSync(cmd, args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'stepgate-pack-'));
  // The tarballs hold dist/: build it from the sources first (incremental).
  run('pnpm', ['run', 'build'], root);
  const packs = join(work, 'packs');
  mkdirSync(packs);
  for (const name of PACKAGES) {
    const out = run('pnpm', ['pack', '--pack-destination', packs, '--json'], join(root, 'packages', name));
    const file = readdirSync(packs).find((f) => f.startsWith(`stepgate-${name}-`) && !tarballs.has(f));
    if (!file) throw new Error(`pnpm pack wrote no tarball for ${name}: ${out}`);
    tarballs.set(name, join(packs, file));
    contents.set(
      name,
      run('tar', ['tzf', join(packs, file)], packs)
        .split('\n')
        .filter(Boolean)
        .map((f) => f.replace(/^package\//, '')),
    );
    manifests.set(
      name,
      JSON.parse(run('tar', ['xzf', join(packs, file), '-O', 'package/package.json'], packs)),
    );
  }
  // A fresh project with plain npm, as an outside team would. Install scripts are skipped: the only
  // one is better-sqlite3's native build, which these tests do not need (nothing opens a file).
  app = join(work, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'outside-app', private: true }));
  run(
    'npm',
    [
      'install',
      '--ignore-scripts',
      '--no-audit',
      '--no-fund',
      '--prefer-offline',
      '--loglevel=error',
      ...[...tarballs.values()],
      'react@19',
      'react-dom@19',
      // sdk-core's optional peer: an app that imports @stepgate/sdk-core/ky has ky.
      'ky@2',
      'express@5',
      'fastify@5',
      '@types/node@20',
      '@types/express@5',
      '@types/react@19',
    ],
    app,
  );
}, 600_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('packed tarballs', () => {
  it.each(PACKAGES)('%s ships dist without build info and with every export target', (name) => {
    const files = contents.get(name) ?? [];
    expect(files.filter((f) => f.endsWith('.tsbuildinfo'))).toEqual([]);
    expect(files).toContain('package.json');
    expect(files).toContain('README.md');
    const pkg = manifests.get(name) as Manifest;
    const targets: string[] = [];
    const walk = (v: unknown) => {
      if (typeof v === 'string') targets.push(v);
      else if (v && typeof v === 'object') for (const x of Object.values(v)) walk(x);
    };
    walk(pkg.exports);
    expect(targets.length).toBeGreaterThan(0);
    // Every condition (including any `source`) names a file in the tarball.
    for (const t of targets) {
      const path = t.replace(/^\.\//, '');
      if (path.endsWith('/*'))
        expect(
          files.some((f) => f.startsWith(path.slice(0, -1))),
          `${name}: ${t}`,
        ).toBe(true);
      else expect(files, `${name}: ${t}`).toContain(path);
    }
  });

  it.each(PACKAGES)('%s exports a "default" condition for every subpath that has code', (name) => {
    const pkg = manifests.get(name) as Manifest;
    for (const [sub, target] of Object.entries(pkg.exports ?? {})) {
      if (typeof target === 'string') continue;
      const conds = Object.keys(target as object);
      if (conds.length === 1 && conds[0] === 'types') continue; // type-only subpaths
      expect(conds, `${name} ${sub}`).toContain('default');
      expect(conds, `${name} ${sub}`).not.toContain('source');
      if (conds.includes('types')) expect(conds[0], `${name} ${sub}: types must come first`).toBe('types');
    }
  });

  it.each(PACKAGES)('%s has metadata, engines and caret ranges for runtime dependencies', (name) => {
    const pkg = manifests.get(name) as Manifest;
    expect(pkg.engines?.node).toBe(enginesOf(name));
    expect(pkg.repository).toMatchObject({ type: 'git', directory: `packages/${name}` });
    expect(pkg.homepage).toMatch(/^https:\/\//);
    expect(pkg.bugs).toMatchObject({ url: expect.stringMatching(/^https:\/\//) });
    expect(pkg.keywords?.length).toBeGreaterThan(2);
    for (const [dep, range] of Object.entries(pkg.dependencies ?? {})) {
      expect(range, `${name} > ${dep}`).toMatch(/^\^\d+\.\d+\.\d+/);
    }
  });

  it.each(PACKAGES)('%s depends on nothing whose engines exclude Node versions it supports', (name) => {
    const pkg = manifests.get(name) as Manifest;
    const gaps: string[] = [];
    for (const dep of Object.keys(pkg.dependencies ?? {})) {
      const nested = join(app, 'node_modules', '@stepgate', name, 'node_modules', dep, 'package.json');
      const file = existsSync(nested) ? nested : join(app, 'node_modules', dep, 'package.json');
      const engines = (JSON.parse(readFileSync(file, 'utf8')) as Manifest).engines?.node;
      if (engines && !covers(engines, enginesOf(name))) gaps.push(`${name}>${dep}`);
    }
    const known = Object.keys(KNOWN_ENGINE_GAPS).filter((k) => k.startsWith(`${name}>`));
    expect(gaps.sort()).toEqual(known.sort());
  });
});

describe('an outside project installed with npm', () => {
  it.each(NODE_ENTRIES)('require(%s) works from CommonJS', (entry) => {
    const out = run(
      process.execPath,
      ['-e', `const m = require(${JSON.stringify(entry)}); console.log(Object.keys(m).length)`],
      app,
    );
    expect(Number(out.trim())).toBeGreaterThan(0);
  });

  it.each(NODE_ENTRIES)('import(%s) works from ESM', (entry) => {
    const out = run(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const m = await import(${JSON.stringify(entry)}); console.log(Object.keys(m).length)`,
      ],
      app,
    );
    expect(Number(out.trim())).toBeGreaterThan(0);
  });

  it('a CommonJS app uses the packages, not only loads them', () => {
    const script = `
      const { compilePolicy } = require('@stepgate/policy-engine');
      const { levelAtLeast } = require('@stepgate/protocol');
      const policy = compilePolicy({ default: 'deny', policies: [{ id: 'p', effect: 'allow' }] });
      console.log(JSON.stringify({ level: levelAtLeast('aal3', 'aal2'), ids: policy.policyIds, fallback: policy.defaultEffect }));
    `;
    const out = JSON.parse(run(process.execPath, ['-e', script], app));
    expect(out).toEqual({ level: true, ids: ['p'], fallback: 'deny' });
  });

  it('every browser entry resolves through require and import conditions', () => {
    const script = `
      const entries = ['@stepgate/sdk-core', '@stepgate/sdk-core/ky', '@stepgate/web-widget', '@stepgate/web-widget/enroll', '@stepgate/react'];
      console.log(JSON.stringify(entries.map((e) => require.resolve(e).replace(/^.*node_modules\\//, ''))));
    `;
    const out = JSON.parse(run(process.execPath, ['-e', script], app)) as string[];
    expect(out).toEqual([
      '@stepgate/sdk-core/dist/index.js',
      '@stepgate/sdk-core/dist/ky.js',
      '@stepgate/web-widget/dist/index.js',
      '@stepgate/web-widget/dist/enroll/index.js',
      '@stepgate/react/dist/index.js',
    ]);
  });

  it('the public types compile with skipLibCheck: false and no dev dependency of ours', () => {
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'nodenext',
          moduleResolution: 'nodenext',
          target: 'es2022',
          strict: true,
          noEmit: true,
          skipLibCheck: false,
          types: ['node'],
          lib: ['es2023', 'dom', 'dom.iterable'],
          jsx: 'react-jsx',
        },
        files: ['consumer.ts'],
      }),
    );
    writeFileSync(
      join(app, 'consumer.ts'),
      `${[...NODE_ENTRIES, '@stepgate/sdk-core', '@stepgate/sdk-core/ky', '@stepgate/react']
        .map((e, i) => `import * as m${i} from '${e}';`)
        .join('\n')}\nexport const all = [${NODE_ENTRIES.map((_, i) => `m${i}`).join(', ')}];\n`,
    );
    expect(existsSync(join(app, 'node_modules', '@types', 'better-sqlite3'))).toBe(false);
    let out = '';
    try {
      out = run(join(root, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.json'], app);
    } catch (e) {
      out = String((e as { stdout?: string }).stdout ?? e);
    }
    expect(out.trim()).toBe('');
  });

  it('ships the JSON Schemas and the OpenAPI document as files', () => {
    const ds = join(app, 'node_modules', '@stepgate', 'decision-service');
    for (const f of ['schemas/policy.schema.json', 'schemas/stepgate.schema.json', 'openapi.json']) {
      const doc = JSON.parse(readFileSync(join(ds, f), 'utf8'));
      expect(typeof doc, f).toBe('object');
    }
    // `stepgate init` output points editors at the installed schema (run it in the app).
    const dir = join(app, 'svc');
    mkdirSync(dir);
    run(join(app, 'node_modules', '.bin', 'stepgate'), ['init', '--dev', '--dir', dir], app);
    for (const [file, schema] of [
      ['stepgate.yaml', 'stepgate.schema.json'],
      ['policies.yaml', 'policy.schema.json'],
    ] as const) {
      const first = readFileSync(join(dir, file), 'utf8').split('\n')[0];
      expect(first).toBe(
        `# yaml-language-server: $schema=../node_modules/@stepgate/decision-service/schemas/${schema}`,
      );
    }
  });
});
