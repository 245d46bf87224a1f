/**
 * The widget's generated framework types (@stepgate/web-widget/types/*) in each framework's own
 * checker: the repository's `tsc` for React 19, Preact and Solid TSX, and svelte-check for a
 * Svelte 5 component (Vue's is checked with vue-tsc in examples/vue). Each fixture enables the
 * types with one tsconfig `types` entry and writes no declaration of its own; wrong values carry
 * `@ts-expect-error`, so a type that became `any` fails the check as surely as a missing one.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const dir = fileURLToPath(new URL('..', import.meta.url));
const root = fileURLToPath(new URL('../../..', import.meta.url));

function run(command: string, args: string[]) {
  const res = spawnSync(command, args, { cwd: dir, encoding: 'utf8', timeout: 120_000 });
  return { status: res.status, output: `${res.stdout}${res.stderr}`.trim() };
}

describe('generated JSX types type-check the tags in TSX', () => {
  it.each(['react', 'preact', 'solid'])(
    '%s: <step-up-challenge> and <step-up-enroll> with properties, attributes and typed events; wrong values are errors',
    (framework) => {
      const tsc = run(`${root}node_modules/.bin/tsc`, ['-p', `tsconfig.${framework}.json`]);
      expect(tsc.output).toBe('');
      expect(tsc.status).toBe(0);
    },
  );

  it('react: without the types entry the same file does not compile (the tags are unknown to JSX)', () => {
    const tsc = run(`${root}node_modules/.bin/tsc`, ['-p', 'tsconfig.react.json', '--types', 'node']);
    expect(tsc.status).not.toBe(0);
    expect(tsc.output).toMatch(/step-up-challenge/);
  });
});

describe('generated Svelte types (svelte-check)', () => {
  it('App.svelte checks clean; Bad.svelte gets exactly its two errors (theme "blue", event.factor on StepUpCompleteEvent)', () => {
    const check = run(`${dir}node_modules/.bin/svelte-check`, [
      '--tsconfig',
      './tsconfig.svelte.json',
      '--output',
      'machine',
    ]);
    const errors = check.output
      .split('\n')
      .filter((line) => / ERROR /.test(line))
      .map((line) => line.replace(/^\d+ ERROR /, ''));
    expect(errors).toEqual([
      `"src/Bad.svelte" 5:20 "Type '\\"blue\\"' is not assignable to type '\\"light\\" | \\"dark\\" | undefined'."`,
      `"src/Bad.svelte" 6:57 "Property 'factor' does not exist on type 'StepUpCompleteEvent'."`,
    ]);
    expect(check.output).toMatch(/COMPLETED \d+ FILES 2 ERRORS 0 WARNINGS 1 FILES_WITH_PROBLEMS/);
  }, 120_000);
});
