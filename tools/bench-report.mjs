// Writes one package's benchmark figures into docs/benchmarks.md, between its own markers,
// so every package's `pnpm bench` can update its section without touching the others.
//   import { writeBenchSection } from '../../tools/bench-report.mjs';
//   writeBenchSection('policy-engine', markdownString);
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';

const file = new URL('../docs/benchmarks.md', import.meta.url);

/** Replaces (or appends) the section named `name` with `markdown`, stamped with date and machine. */
export function writeBenchSection(name, markdown) {
  const start = `<!-- bench:${name}:start -->`;
  const end = `<!-- bench:${name}:end -->`;
  let doc = '';
  try {
    doc = readFileSync(file, 'utf8');
  } catch {
    doc =
      "# Benchmarks\n\nEach section is written by its package's `pnpm bench`; do not edit between the markers.\n";
  }
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const stamp = `_Measured ${new Date().toISOString().slice(0, 10)} on ${os.cpus().length} × ${cpu}, Node ${process.version}._`;
  const block = `${start}\n${markdown.trim()}\n\n${stamp}\n${end}`;
  const i = doc.indexOf(start);
  const j = doc.indexOf(end);
  doc =
    i >= 0 && j > i ? doc.slice(0, i) + block + doc.slice(j + end.length) : `${doc.trimEnd()}\n\n${block}\n`;
  writeFileSync(file, doc);
}
