import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const dir = new URL('../src/', import.meta.url);
/** Code only: TSDoc examples may show how a caller reads the clock. */
const stripComments = (text: string): string =>
  text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
const sources = readdirSync(dir)
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
  .map((f) => ({ f, text: stripComments(readFileSync(new URL(f, dir), 'utf8')) }));

describe('runs anywhere (no I/O, no clock, no Node built-ins)', () => {
  it.each(sources.map((s) => [s.f, s.text]))('%s imports no Node module and reads no clock', (_f, text) => {
    expect(text).not.toMatch(/from ['"]node:/);
    expect(text).not.toMatch(/\b(Date\.now|new Date\(|performance\.now|process\.|Buffer\.|require\()/);
  });
});
