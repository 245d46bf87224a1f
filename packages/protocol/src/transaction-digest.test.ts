import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from './canonical-json.js';
import { StepgateError } from './errors.js';
import { transactionDigest } from './transaction-digest.js';
import type { Transaction } from './types.js';

interface Vector {
  name: string;
  action: string;
  transaction?: Transaction;
  canonical: string;
  digest: string;
}

// JSON.parse keeps -0 and the other spellings of the vector file; a bundler's JSON import might not.
const file = JSON.parse(
  readFileSync(new URL('../test/vectors/transaction-digest.json', import.meta.url), 'utf8'),
) as { vectors: Vector[] };

describe('transactionDigest (shared vectors, also run in Chromium)', () => {
  it('has vectors with -0, 1e21, 0.1, unicode and nesting', () => {
    const numbers = file.vectors.find((v) => v.action === 'numbers.check')?.transaction;
    expect(Object.is(numbers?.negZero, -0)).toBe(true);
    expect(numbers?.big).toBe(1e21);
    expect(file.vectors.length).toBeGreaterThanOrEqual(8);
  });

  for (const vector of file.vectors) {
    it(`matches: ${vector.name}`, async () => {
      const input = vector.transaction === undefined ? { action: vector.action } : vector;
      expect(canonicalJson({ action: vector.action, transaction: vector.transaction })).toBe(
        vector.canonical,
      );
      expect(await transactionDigest({ ...input })).toBe(vector.digest);
    });
  }

  it('S17: a different amount, payee or action gives a different digest', async () => {
    const base = { action: 'payments.transfer', transaction: { amount: 100, payee: 'alice' } };
    const digest = await transactionDigest(base);
    expect(await transactionDigest({ ...base, transaction: { amount: 101, payee: 'alice' } })).not.toBe(
      digest,
    );
    expect(await transactionDigest({ ...base, transaction: { amount: 100, payee: 'mallory' } })).not.toBe(
      digest,
    );
    expect(await transactionDigest({ ...base, action: 'payments.refund' })).not.toBe(digest);
    expect(
      await transactionDigest({ action: 'payments.transfer', transaction: { payee: 'alice', amount: 100 } }),
    ).toBe(digest);
  });

  it('rejects a missing action, a non-object transaction and non-JSON values with invalid_request', async () => {
    const bad = [
      { action: '' },
      { action: 1 },
      { action: 'a', transaction: [] },
      { action: 'a', transaction: 'x' },
      { action: 'a', transaction: { amount: Number.POSITIVE_INFINITY } },
    ];
    for (const input of bad) {
      await expect(transactionDigest(input as never)).rejects.toBeInstanceOf(StepgateError);
    }
  });

  it('property: equals base64url(SHA-256(canonical JSON)) computed with node:crypto', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ minLength: 1 }),
        fc.dictionary(fc.string(), fc.jsonValue()),
        async (action, tx) => {
          const expected = createHash('sha256')
            .update(canonicalJson({ action, transaction: tx }), 'utf8')
            .digest('base64url');
          expect(await transactionDigest({ action, transaction: tx })).toBe(expected);
        },
      ),
      { numRuns: 100 },
    );
  });
});
