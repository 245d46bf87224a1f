// A decision-service replica for the replica benchmark: `replica-server.mjs sqlite|postgres
// [url redis prefix]`; prints `{ url, apiKey }` and runs until stdin closes.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDecisionService } from '../src/index.js';
import { BENCH_POLICY } from './policy.js';

const [mode, url, redis, prefix] = process.argv.slice(2);
const svc = await startDecisionService({
  port: 0,
  policies: BENCH_POLICY,
  watchPolicies: false,
  dataDir: mkdtempSync(join(tmpdir(), 'stepgate-replica-')),
  env: { STEPGATE_MASTER_KEY: Buffer.alloc(32, 5).toString('base64url') },
  config:
    mode === 'postgres'
      ? { store: { type: 'postgres', url: url!, redis: redis!, prefix: prefix!, migrate: true } }
      : {},
});
process.stdout.write(`${JSON.stringify({ url: svc.url, apiKey: svc.apiKey })}\n`);
process.stdin.resume();
process.stdin.on('end', () => void svc.close().then(() => process.exit(0)));
