/**
 * `/openapi.json` passes `@redocly/cli lint` with the recommended ruleset and no error (issue 20),
 * so generators and API gateways take it as it is. The document comes from a running service.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type RunningService, startDecisionService } from '@stepgate/decision-service';
import { afterAll, beforeAll, expect, it } from 'vitest';

const run = promisify(execFile);
const redocly = new URL('../node_modules/.bin/redocly', import.meta.url).pathname;

type Problem = { ruleId: string; severity: string; message: string; location: { pointer: string }[] };

let svc: RunningService;
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'stepgate-openapi-'));
  svc = await startDecisionService({
    port: 0,
    dataDir: join(dir, 'data'),
    policies: { default: 'allow', policies: [] },
    watchPolicies: false,
  });
});
afterAll(async () => {
  await svc?.close();
  rmSync(dir, { recursive: true, force: true });
});

it('GET /openapi.json lints with 0 errors under the recommended ruleset', async () => {
  const file = join(dir, 'openapi.json');
  writeFileSync(file, await (await fetch(`${svc.url}/openapi.json`)).text());
  const res = await run(redocly, ['lint', '--extends', 'recommended', '--format', 'json', file], {
    maxBuffer: 64 * 1024 * 1024,
  }).catch((e: { stdout: string }) => e);
  const report = JSON.parse(res.stdout) as { totals: { errors: number }; problems: Problem[] };
  const errors = report.problems
    .filter((p) => p.severity === 'error')
    .map((p) => `${p.ruleId} ${p.location[0]?.pointer}: ${p.message}`);
  expect(errors).toEqual([]);
  expect(report.totals.errors).toBe(0);
});
