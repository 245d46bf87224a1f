// The shared transaction-digest vectors in Chromium (@web/test-runner, mocha + chai): the digest
// must be the same in browsers as in Node (transaction-digest.test.ts runs the same file there).
import { expect } from '@open-wc/testing';
import { canonicalJson } from './canonical-json.js';
import { decodeStepUpContext, encodeStepUpContext } from './context-header.js';
import { transactionDigest } from './transaction-digest.js';
import type { Transaction } from './types.js';

interface Vector {
  name: string;
  action: string;
  transaction?: Transaction;
  canonical: string;
  digest: string;
}

async function loadVectors(): Promise<Vector[]> {
  // fetch + JSON.parse keeps -0 and the other spellings of the file.
  const response = await fetch(new URL('../test/vectors/transaction-digest.json', import.meta.url));
  expect(response.ok).to.equal(true);
  return ((await response.json()) as { vectors: Vector[] }).vectors;
}

describe('transactionDigest in Chromium (shared vectors)', () => {
  it('computes every vector digest with WebCrypto and the RFC 8785 canonical form', async () => {
    const vectors = await loadVectors();
    expect(vectors.length).to.be.greaterThanOrEqual(8);
    for (const vector of vectors) {
      expect(canonicalJson({ action: vector.action, transaction: vector.transaction }), vector.name).to.equal(
        vector.canonical,
      );
      const input = vector.transaction === undefined ? { action: vector.action } : vector;
      expect(await transactionDigest(input), vector.name).to.equal(vector.digest);
    }
  });

  it('reads -0 from the vector file and serialises it as 0', async () => {
    const numbers = (await loadVectors()).find((v) => v.action === 'numbers.check')?.transaction;
    expect(Object.is(numbers?.negZero, -0)).to.equal(true);
    expect(canonicalJson(numbers?.negZero)).to.equal('0');
  });

  it('round-trips a Step-Up-Context header without Buffer', () => {
    const ctx = { v: 1 as const, deviceId: 'dév', fingerprint: 'fp', signals: { tz: 'Asia/東京', cores: 4 } };
    expect(decodeStepUpContext(encodeStepUpContext(ctx))).to.deep.equal(ctx);
    expect(decodeStepUpContext('%%%')).to.equal(null);
  });
});
