#!/usr/bin/env node
// `pnpm bench` for @stepgate/web-widget: builds the standalone bundles with the workspace's
// rollup config and reports their size minified and min+gzip (level 9, as `gzip -9`), against
// docs/design/README.md's budget for the challenge bundle (≤ 15 KB = 15 × 1024 bytes min+gzip).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync } from 'node:zlib';
import { writeBenchSection } from '../../../tools/bench-report.mjs';
import { CHALLENGE_BUDGET as BUDGET, gzipSize } from './size-budget.mjs';

const pkgDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const root = join(pkgDir, '..', '..');

const build = spawnSync(
  join(root, 'node_modules', '.bin', 'rollup'),
  ['-c', 'rollup.config.mjs', '--environment', 'PKG:web-widget', '--silent'],
  { cwd: root, stdio: 'inherit' },
);
if (build.status !== 0) process.exit(build.status ?? 1);

const bundles = [
  [
    'step-up-challenge.min.js',
    'widget + sdk-core + protocol + lit (no ky, no QR code, no WebAuthn ceremony, English)',
  ],
  [
    'step-up-enroll.min.js',
    'enrollment element + QR encoder + lit + @simplewebauthn/browser + English and French',
  ],
  [
    'step-up-webauthn.min.js',
    '@simplewebauthn/browser + native bridge, loaded on demand by the challenge bundle when a user picks a passkey',
  ],
  ['stepgate-fr.min.js', 'French messages for both elements, loaded beside either bundle'],
  [
    'step-up-fetch.min.js',
    "sdk-core's createStepUpFetch (context header, step-up queue, header parsers), loaded on demand by the challenge bundle",
  ],
];
const kb = (n) => `${(n / 1024).toFixed(2)} KiB`;
const rows = bundles.map(([file, what]) => {
  const code = readFileSync(join(pkgDir, 'dist', 'standalone', file));
  const gzip = gzipSize(code);
  const brotli = brotliCompressSync(code).length;
  return { file, what, min: code.length, gzip, brotli };
});
const challenge = rows[0];
const verdict = challenge.gzip <= BUDGET ? 'within' : 'OVER';
const markdown = `## web-widget: standalone bundles

| bundle | contents | minified | min+gzip -9 | min+brotli |
|---|---|---:|---:|---:|
${rows.map((r) => `| \`${r.file}\` | ${r.what} | ${r.min} B | **${r.gzip} B** (${kb(r.gzip)}) | ${r.brotli} B |`).join('\n')}

Challenge bundle: ${challenge.gzip} B min+gzip, **${verdict}** the ${BUDGET} B (15 KiB) budget of docs/design/README.md
(${BUDGET - challenge.gzip} B to spare). Built by the workspace rollup config (esbuild minify, then a terser pass; lit inlined).`;
writeBenchSection('web-widget', markdown);
console.log(markdown);
if (challenge.gzip > BUDGET) process.exitCode = 1;
