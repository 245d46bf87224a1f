#!/usr/bin/env node
// Points references to the design documents that lived outside the repository (DESIGN.md,
// SECURITY.md, TOOLCHAIN.md, CONVENTIONS.md) at their homes in the repository (issue 20):
//   DESIGN.md "Section"  →  docs/design/<file>.md "Section" (or docs/policies.md)
//   SECURITY.md          →  docs/security-model.md (S-numbers unchanged)
//   TOOLCHAIN.md, CONVENTIONS.md  →  CONTRIBUTING.md
// Idempotent: re-run it after merging a branch that still cites the old names.
//   node tools/doc-refs.mjs          rewrite tracked files in place, list what changed
//   node tools/doc-refs.mjs --check  rewrite nothing; exit 1 and list files that still cite them
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Files that name the old documents on purpose, or hold no prose of ours. */
const SKIP = [
  /^pnpm-lock\.yaml$/,
  // The lead owns CI: its one comment that cites TOOLCHAIN.md is left to them.
  /^\.ci\//,
  // Its checksum is in pnpm-lock.yaml: editing a comment there would change the lockfile.
  /^\.pnpmfile\.cjs$/,
  /^SECURITY\.md$/,
  /^CONTRIBUTING\.md$/,
  /^docs\/security-model\.md$/,
  /^docs\/design\//,
  /^docs\/decisions\//,
  /^\.changeset\//,
  /(^|\/)CHANGELOG\.md$/,
  /^tools\/doc-refs\.mjs$/,
  /^tools\/test\/doc-refs\.test\.ts$/,
  /\.(png|jpg|jpeg|gif|ico|woff2?|mmdb|db|tgz)$/,
];

/** Where each section of the old DESIGN.md lives now. */
const SECTIONS = {
  'The flow': 'docs/design/flows.md "A step-up"',
  Methods: 'docs/design/flows.md "Methods and what they prove"',
  'Methods and what they prove': 'docs/design/flows.md "Methods and what they prove"',
  'Enrolled methods': 'docs/design/flows.md "Methods and what they prove"',
  'Wire formats': 'docs/design/wire-contract.md',
  'Step-Up-Context header': 'docs/design/wire-contract.md "Step-Up-Context header"',
  'HTTP API': 'docs/design/wire-contract.md "HTTP API (v1)"',
  Tokens: 'docs/design/wire-contract.md "Tokens"',
  Policies: 'docs/policies.md',
  Storage: 'docs/design/storage.md',
  Performance: 'docs/design/trade-offs.md',
  Packages: 'docs/design/architecture.md',
};

/** Matches any reference still to be rewritten (used by --check and the test). */
export const OLD_REFERENCE =
  /(?<![\w/.-])(?:(?:\.\.\/)+(?:shared\/)?|\/work\/shared\/)?(?:DESIGN|SECURITY|TOOLCHAIN|CONVENTIONS)\.md\b/;

/** The text with every old reference rewritten. */
export function rewrite(text) {
  return text
    .replace(/(?<![\w/.-])(?:(?:\.\.\/)+(?:shared\/)?|\/work\/shared\/)?DESIGN\.md "([^"]+)"/g, (m, title) =>
      SECTIONS[title] ? SECTIONS[title] : m.replace(/^.*DESIGN\.md/, 'docs/design/README.md'),
    )
    .replace(
      /(?<![\w/.-])(?:(?:\.\.\/)+(?:shared\/)?|\/work\/shared\/)?DESIGN\.md\b/g,
      'docs/design/README.md',
    )
    .replace(
      /(?<![\w/.-])(?:(?:\.\.\/)+(?:shared\/)?|\/work\/shared\/)?SECURITY\.md\b/g,
      'docs/security-model.md',
    )
    .replace(
      /(?<![\w/.-])(?:(?:\.\.\/)+(?:shared\/)?|\/work\/shared\/)?(?:TOOLCHAIN|CONVENTIONS)\.md\b/g,
      'CONTRIBUTING.md',
    )
    .replace(/against `shared\/vectors`/g, 'against `packages/decision-service/test/vectors`');
}

/** Tracked text files this script looks at. */
export function trackedFiles() {
  return execFileSync('git', ['ls-files'], { cwd: root, encoding: 'utf8' })
    .split('\n')
    .filter((f) => f && !SKIP.some((re) => re.test(f)));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const check = process.argv.includes('--check');
  const changed = [];
  for (const file of trackedFiles()) {
    let text;
    try {
      text = readFileSync(`${root}/${file}`, 'utf8');
    } catch {
      continue; // a submodule or a file deleted in the work tree
    }
    if (!OLD_REFERENCE.test(text)) continue;
    changed.push(file);
    if (!check) writeFileSync(`${root}/${file}`, rewrite(text));
  }
  for (const file of changed) console.log(file);
  if (check && changed.length > 0) {
    console.error(
      `${changed.length} files still cite DESIGN/SECURITY/TOOLCHAIN/CONVENTIONS.md: run node tools/doc-refs.mjs`,
    );
    process.exit(1);
  }
}
