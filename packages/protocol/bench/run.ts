/**
 * Protocol micro-benchmarks: the per-request costs node-client and the service pay (parse the
 * context header, validate a decision request, digest its transaction) and what the browser pays
 * to read a step-up answer. Figures go to docs/benchmarks.md. Not a test: nothing is asserted.
 */
import { performance } from 'node:perf_hooks';
import {
  canonicalJson,
  decodeStepUpContext,
  encodeStepUpContext,
  formatStepUpChallenge,
  parseStepUpChallenge,
  schemas,
  transactionDigest,
} from '../src/index.js';
import { validExamples } from '../test/schema-examples.js';
import { Ajv, addFormats } from './ajv.js';

interface Result {
  name: string;
  p50: number;
  p99: number;
  opsPerSec: number;
}

/** Runs `fn` in batches for about `ms` milliseconds; per-op time of each batch gives p50/p99. */
async function measure(name: string, fn: () => unknown, ms = 1500, batch = 200): Promise<Result> {
  for (let i = 0; i < batch * 5; i++) await fn();
  const perOp: number[] = [];
  const end = performance.now() + ms;
  let ops = 0;
  const started = performance.now();
  const sync = !(fn() instanceof Promise);
  while (performance.now() < end) {
    const t0 = performance.now();
    if (sync) for (let i = 0; i < batch; i++) fn();
    else for (let i = 0; i < batch; i++) await fn();
    perOp.push(((performance.now() - t0) * 1000) / batch);
    ops += batch;
  }
  const elapsed = performance.now() - started;
  perOp.sort((a, b) => a - b);
  const at = (q: number) => perOp[Math.min(perOp.length - 1, Math.floor(q * perOp.length))] ?? Number.NaN;
  return { name, p50: at(0.5), p99: at(0.99), opsPerSec: (ops / elapsed) * 1000 };
}

const transaction = {
  amount: 12000,
  currency: 'EUR',
  payee: { iban: 'FR7630006000011234567890189', name: 'Zoë' },
};
const context = encodeStepUpContext({
  v: 1,
  deviceId: 'dev_3f2a8c0e9b',
  fingerprint: 'fp_9c1e4a7d2b',
  deviceToken: `eyJhbGciOiJFUzI1NiJ9.${'x'.repeat(220)}.${'s'.repeat(86)}`,
  signals: { tz: 'Europe/Paris', lang: 'fr-FR,fr,en', screen: '1920x1080@2', cores: 8, webauthn: true },
});
const header = `Basic realm="bank", ${formatStepUpChallenge({ acr: 'urn:stepgate:aal2', maxAge: 300, challengeId: 'chl_8f3a' })}`;
const body = JSON.stringify(validExamples.stepUpAnswer);
const ajv = addFormats(new Ajv({ allErrors: false }));
const compileStart = performance.now();
for (const schema of Object.values(schemas)) ajv.compile(schema);
const compileMs = performance.now() - compileStart;
const validateDecision = ajv.compile({ ...schemas.decisionRequest, $id: 'bench' });

const results = [
  await measure(`decodeStepUpContext (${context.length}-byte header)`, () => decodeStepUpContext(context)),
  await measure('parseStepUpChallenge (header + JSON body text)', () => parseStepUpChallenge(header, body)),
  await measure('canonicalJson (payment transaction)', () =>
    canonicalJson({ action: 'payments.transfer', transaction }),
  ),
  await measure('transactionDigest (WebCrypto SHA-256)', () =>
    transactionDigest({ action: 'payments.transfer', transaction }),
  ),
  await measure('Ajv validate decisionRequest (full example)', () =>
    validateDecision(validExamples.decisionRequest),
  ),
];

const fmt = (n: number) => (n < 10 ? n.toFixed(2) : n.toFixed(1));
const markdown = [
  '## @stepgate/protocol',
  '',
  '| operation | p50 µs/op | p99 µs/op | ops/s |',
  '|---|---|---|---|',
  ...results.map(
    (r) => `| ${r.name} | ${fmt(r.p50)} | ${fmt(r.p99)} | ${Math.round(r.opsPerSec).toLocaleString('en')} |`,
  ),
  '',
  `Compiling all ${Object.keys(schemas).length} schemas with Ajv 8 (draft-07, ajv-formats): ${compileMs.toFixed(0)} ms.`,
  'p50/p99 are over batches of 200 calls (per-call time of each batch), after a warm-up.',
].join('\n');
// Resolved at run time: bench/run.ts and the bundle in .tmp/ sit at the same depth.
const report: { writeBenchSection(name: string, markdown: string): void } = await import(
  new URL('../../../tools/bench-report.mjs', import.meta.url).href
);
report.writeBenchSection('protocol', markdown);
console.log(markdown);
