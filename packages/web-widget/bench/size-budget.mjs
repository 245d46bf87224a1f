// The size budget of the standalone challenge bundle and how it is measured, shared by
// `pnpm bench` (bench/bundle-size.mjs) and the guard test (test/standalone/bundle-size.test.ts).
import { spawnSync } from 'node:child_process';
import { gzipSync } from 'node:zlib';

/** docs/design/README.md: the challenge bundle is at most 15 KiB (15 × 1024 bytes) min+gzip. */
export const CHALLENGE_BUDGET = 15 * 1024;

/** min+gzip as the budget is defined: `gzip -9 -c | wc -c`, or zlib level 9 where gzip is missing. */
export function gzipSize(code) {
  const cli = spawnSync('gzip', ['-9', '-c'], { input: code, maxBuffer: 1 << 26 });
  return cli.status === 0 ? cli.stdout.length : gzipSync(code, { level: 9 }).length;
}
