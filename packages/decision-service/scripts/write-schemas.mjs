// Writes the files editors and API tools read from the installed package (issue 20), from the
// built code so they always match what the service validates:
//   schemas/policy.schema.json    policy documents (`policies.yaml`)
//   schemas/stepgate.schema.json  the service configuration (`stepgate.yaml`)
//   openapi.json                  the HTTP API, as GET /openapi.json serves it
// Run by the package's `build` script, after rollup.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { policySchema } from '@stepgate/policy-engine';
import { configSchema, startDecisionService } from '../dist/index.js';

const pkg = new URL('..', import.meta.url).pathname;
const write = (file, doc) => {
  mkdirSync(join(pkg, file, '..'), { recursive: true });
  writeFileSync(join(pkg, file), `${JSON.stringify(doc, null, 2)}\n`);
};
const withDraft = (schema, title) => ({
  $schema: 'http://json-schema.org/draft-07/schema#',
  title,
  ...schema,
});

write('schemas/policy.schema.json', withDraft(policySchema, 'Stepgate policy document'));
write(
  'schemas/stepgate.schema.json',
  withDraft(configSchema, 'Stepgate decision service configuration (stepgate.yaml)'),
);

// The OpenAPI document of a service with the production routes (no dev outbox).
const dataDir = mkdtempSync(join(tmpdir(), 'stepgate-openapi-'));
try {
  const service = await startDecisionService({
    port: 0,
    dataDir,
    policies: { default: 'allow', policies: [] },
    watchPolicies: false,
  });
  try {
    const res = await fetch(`${service.url}/openapi.json`);
    if (!res.ok) throw new Error(`GET /openapi.json: ${res.status}`);
    write('openapi.json', await res.json());
  } finally {
    await service.close();
  }
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
console.log('wrote schemas/policy.schema.json, schemas/stepgate.schema.json, openapi.json');
