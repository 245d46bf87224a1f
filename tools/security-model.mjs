#!/usr/bin/env node
// docs/security-model.md lists every security requirement (S1, S2, …) with the test files whose
// test titles name it. This script finds them (`it('S7: …')`, `describe('… S17 …')`) and fills the
// list under each requirement; tools/test/security-model.test.ts fails when the doc and the tests
// drift apart.
//   node tools/security-model.mjs          check (exit 1 and say what differs)
//   node tools/security-model.mjs --write  rewrite the lists in docs/security-model.md
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
export const DOC = 'docs/security-model.md';
const TITLE =
  /\b(?:it|test|describe)(?:\.(?:each|for)\([^)]*\))?(?:\.\w+)*\s*\(\s*(['"`])((?:\\.|(?!\1).)*)\1/gs;

/** Test files tracked by git, by S-number their test titles cite. */
export function citedRequirements() {
  // Test files, and the shared suites under test/ directories (e.g. an adapter contract).
  const files = execFileSync('git', ['ls-files', '*.ts', '*.mjs', '*.js', '*.tsx'], {
    cwd: root,
    encoding: 'utf8',
  })
    .split('\n')
    .filter((f) => /\.test\.[cm]?[jt]sx?$/.test(f) || /(^|\/)test\//.test(f))
    // The check itself names the range it checks, not a requirement it proves.
    .filter((f) => f !== 'tools/test/security-model.test.ts');
  /** @type {Map<number, Set<string>>} */
  const cited = new Map();
  for (const file of files) {
    const source = readFileSync(`${root}/${file}`, 'utf8');
    for (const match of source.matchAll(TITLE)) {
      for (const s of match[2].matchAll(/\bS(\d{1,3})\b/g)) {
        const n = Number(s[1]);
        if (!cited.has(n)) cited.set(n, new Set());
        cited.get(n).add(file);
      }
    }
  }
  return cited;
}

const block = /<!-- tests:S(\d+) -->\n[\s\S]*?<!-- \/tests -->/g;

/** The doc with every test list regenerated. */
export function render(doc, cited) {
  return doc.replace(block, (_m, n) => {
    const files = [...(cited.get(Number(n)) ?? [])].sort();
    const list = files.length
      ? files.map((f) => `- [\`${f}\`](../${f})`).join('\n')
      : '- (no test cites it yet)';
    return `<!-- tests:S${n} -->\n${list}\n<!-- /tests -->`;
  });
}

/** Requirements the doc describes (`### S7 …` headings). */
export function documentedRequirements(doc) {
  return [...doc.matchAll(/^### S(\d+)\b/gm)].map((m) => Number(m[1]));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const doc = readFileSync(`${root}/${DOC}`, 'utf8');
  const next = render(doc, citedRequirements());
  if (process.argv.includes('--write')) {
    writeFileSync(`${root}/${DOC}`, next);
    console.log(`wrote ${DOC}`);
  } else if (next !== doc) {
    console.error(`${DOC} is out of date: run node tools/security-model.mjs --write`);
    process.exit(1);
  }
}
