import { readFileSync } from 'node:fs';
import { transform } from 'esbuild';
import { expect, it } from 'vitest';
import { startDecisionService } from '../src/index.js';

it('the README step-up example runs and prints what it says', async () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('## Example: a step-up with an emailed code'));
  const source = /```ts\n([\s\S]*?)```/.exec(section)![1]!.replace(/^import .*$/m, '');
  const { code } = await transform(source, { loader: 'ts', format: 'esm' });
  const logged: unknown[][] = [];
  const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor;
  await new AsyncFunction('startDecisionService', 'console', code)(startDecisionService, {
    log: (...args: unknown[]) => logged.push(args),
  });
  expect(logged).toEqual([['allow']]);
});
