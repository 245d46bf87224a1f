/**
 * No file of ours cites the design documents that lived outside the repository (DESIGN.md,
 * SECURITY.md, TOOLCHAIN.md, CONVENTIONS.md under ../shared): contributors cannot open them.
 * tools/doc-refs.mjs rewrites such references to docs/design/, docs/security-model.md and
 * CONTRIBUTING.md; run it after merging a branch that still has some.
 */
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
// @ts-expect-error: a plain ES module script without declarations
import { OLD_REFERENCE, rewrite, trackedFiles } from '../doc-refs.mjs';

const root = new URL('../..', import.meta.url).pathname;

it('no tracked file cites DESIGN.md, SECURITY.md, TOOLCHAIN.md or CONVENTIONS.md outside the repository', () => {
  const citing = (trackedFiles() as string[]).filter((file) => {
    try {
      return (OLD_REFERENCE as RegExp).test(readFileSync(`${root}/${file}`, 'utf8'));
    } catch {
      return false;
    }
  });
  expect(citing, 'run node tools/doc-refs.mjs').toEqual([]);
});

it('rewrites each kind of reference to a page in the repository', () => {
  const r = rewrite as (text: string) => string;
  expect(r('see DESIGN.md "Tokens" and SECURITY.md S7')).toBe(
    'see docs/design/wire-contract.md "Tokens" and docs/security-model.md S7',
  );
  expect(r('(TOOLCHAIN.md), ../shared/DESIGN.md, DESIGN.md "Policies"')).toBe(
    '(CONTRIBUTING.md), docs/design/README.md, docs/policies.md',
  );
  const once = r('DESIGN.md "Methods", DESIGN.md\'s promise, CONVENTIONS.md "adapters"');
  expect(r(once)).toBe(once);
});
