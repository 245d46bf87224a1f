/**
 * docs/security-model.md and the tests cannot drift apart (issue 20): every requirement the doc
 * describes is cited by a test title, every requirement a test cites is described, and the list of
 * tests under each requirement is the one tools/security-model.mjs generates.
 */
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
// @ts-expect-error: a plain ES module script without declarations
import { citedRequirements, DOC, documentedRequirements, render } from '../security-model.mjs';

const root = new URL('../..', import.meta.url).pathname;
const doc = readFileSync(`${root}/${DOC}`, 'utf8');
const cited = citedRequirements() as Map<number, Set<string>>;

it('describes S1 to S38, each once, and every requirement a test title cites', () => {
  const documented = documentedRequirements(doc) as number[];
  expect(documented.slice().sort((a, b) => a - b)).toEqual(Array.from({ length: 38 }, (_, i) => i + 1));
  const undocumented = [...cited.keys()].filter((n) => !documented.includes(n)).map((n) => `S${n}`);
  expect(undocumented, 'cited by tests but not in docs/security-model.md').toEqual([]);
});

it('every requirement is proved by at least one test', () => {
  const untested = (documentedRequirements(doc) as number[]).filter((n) => !cited.has(n)).map((n) => `S${n}`);
  expect(untested).toEqual([]);
});

it('the test lists match the test titles (node tools/security-model.mjs --write)', () => {
  expect(render(doc, cited)).toBe(doc);
});
