// Writes docs/policy.schema.json from the exported policySchema (run: pnpm --filter @stepgate/policy-engine schema).
import { writeFileSync } from 'node:fs';
import { build } from 'esbuild';

const out = await build({
  entryPoints: [new URL('../src/schema.ts', import.meta.url).pathname],
  bundle: true,
  format: 'esm',
  write: false,
  // Workspace packages from their sources (the `source` export condition), not a possibly stale dist.
  conditions: ['source'],
});
const url = `data:text/javascript;base64,${Buffer.from(out.outputFiles[0].text).toString('base64')}`;
const { policySchema } = await import(url);
writeFileSync(
  new URL('../../../docs/policy.schema.json', import.meta.url),
  `${JSON.stringify(policySchema, null, 2)}\n`,
);
console.log('wrote docs/policy.schema.json');
