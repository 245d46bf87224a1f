import { transactionDigest } from '@stepgate/protocol';
import { describe, expect, it } from 'vitest';
import { requestDigest } from './digest.js';

describe('requestDigest', () => {
  it('equals the protocol’s transactionDigest, with and without a transaction', async () => {
    const cases = [
      { action: 'payments.transfer', transaction: { amount: 12000, currency: 'EUR', payee: 'FR76 3000' } },
      {
        action: 'iam.role.grant',
        transaction: { user: 'u2', role: 'admin', nested: { b: [1e21, 0.1, -0], a: 'é' } },
      },
      { action: 'admin.settings' },
    ];
    for (const c of cases) {
      expect(requestDigest(c.action, c.transaction)).toBe(await transactionDigest(c));
    }
  });

  it('differs when the amount or the payee changes', () => {
    const a = requestDigest('payments.transfer', { amount: 1, payee: 'x' });
    expect(requestDigest('payments.transfer', { amount: 2, payee: 'x' })).not.toBe(a);
    expect(requestDigest('payments.transfer', { amount: 1, payee: 'y' })).not.toBe(a);
    expect(requestDigest('payments.other', { amount: 1, payee: 'x' })).not.toBe(a);
  });
});
