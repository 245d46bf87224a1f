// The README's example runs as written (with the package name pointed at the sources).
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it, vi } from 'vitest';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const example = /## Example\n\n```ts\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
const file = new URL('./readme-example.generated.ts', import.meta.url);

describe('README example', () => {
  afterAll(() => rmSync(file, { force: true }));

  it('prints what its comments say', async () => {
    // About ten statements (the formatter may wrap long calls over several lines).
    expect(example.split('\n').filter((line) => line.trimEnd().endsWith(';')).length).toBeLessThanOrEqual(10);
    writeFileSync(file, `${example.replace("'@stepgate/protocol'", "'../src/index.js'")}\nexport {};\n`);
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      await import(file.href);
      expect(log.mock.calls).toEqual([
        [43, 'stepgate', 'chl_8f3a', 300],
        ['Europe/Paris', null],
      ]);
    } finally {
      log.mockRestore();
    }
  });
});
