#!/usr/bin/env node
// `pnpm demo`. The Acme Bank demo (issue "Demo, end-to-end proof and docs") is not built yet; until
// it lands this starts the decision service from source with an example policy and prints its URL
// and API key, so the API can be tried with curl. Data stays in .stepgate-demo/ between runs.
//   PORT=8787 pnpm demo
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, '.stepgate-demo');
mkdirSync(outDir, { recursive: true });

// Workspace packages are bundled from their TypeScript sources; npm packages stay external at the
// path they resolve to, so pnpm's strict layout keeps working.
const externalNpm = {
  name: 'external-npm',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (args.pluginData === 'inner' || args.path.startsWith('@stepgate/') || args.path.startsWith('node:'))
        return;
      const resolved = await b.resolve(args.path, {
        kind: args.kind,
        resolveDir: args.resolveDir,
        pluginData: 'inner',
      });
      if (resolved.errors.length > 0) return { errors: resolved.errors };
      return { path: pathToFileURL(resolved.path).href, external: true };
    });
  },
};
const bundle = join(outDir, 'decision-service.mjs');
await build({
  entryPoints: [join(root, 'packages/decision-service/src/index.ts')],
  outfile: bundle,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  conditions: ['source'],
  plugins: [externalNpm],
  logLevel: 'warning',
});
const { startDecisionService } = await import(pathToFileURL(bundle).href);

const policies = `
policies:
  - id: high-value-transfer
    when: { action: payments.transfer, transaction.amount: { gt: 1000 } }
    require: { level: aal2, maxAge: 0, bindTransaction: true }
  - id: admin-area
    when: { action: "admin.*" }
    require: { level: aal2, maxAge: 15m }
  - id: impossible-travel
    when: { risk.geo.velocityKmh: { gt: 900 } }
    require: { level: aal2 }
default: allow
`;
const svc = await startDecisionService({
  dataDir: join(outDir, 'data'),
  port: Number(process.env.PORT ?? 8787),
  policies,
  config: { logLevel: 'warn' },
});
console.log(`Stepgate demo — decision service (the Acme Bank demo app has not landed yet)
  URL        ${svc.url}
  API key    ${svc.apiKey}
  admin key  ${svc.adminKey}
  JWKS       ${svc.url}/.well-known/jwks.json   OpenAPI ${svc.url}/openapi.json

Try:
  curl -s -X PUT ${svc.url}/v1/users/alice -H 'authorization: Bearer ${svc.apiKey}' \\
    -H 'content-type: application/json' -d '{"phone":"+33612345678"}'
  curl -s ${svc.url}/v1/decisions -H 'authorization: Bearer ${svc.apiKey}' -H 'content-type: application/json' \\
    -d '{"subject":{"id":"alice"},"action":{"name":"payments.transfer"},"transaction":{"amount":5000}}'

Ctrl-C stops it.`);
const stop = () => void svc.close().then(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
