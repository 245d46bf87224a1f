// The transfer the examples bind, read from a JSON body and checked — never coerced: `Number('900 EUR')`
// is NaN, which JSON sends as null, and a transfer of "no amount" must not look like a small one.

/** What the user confirms. A `type` (not an `interface`), so it is a `Transaction` as it is. */
export type Transfer = { amount: number; currency: string; payee: string };

/** The transfer in a parsed JSON body, or `undefined` when the body is not one. */
export function readTransfer(body: unknown): Transfer | undefined {
  const { amount, currency, payee } = (body ?? {}) as Record<string, unknown>;
  if (typeof amount !== 'number' || !Number.isFinite(amount) || amount <= 0) return undefined;
  if (typeof currency !== 'string' || typeof payee !== 'string' || payee === '') return undefined;
  return { amount, currency, payee };
}

/** The 400 the examples answer for a body that is not a transfer. */
export const invalidTransfer = {
  error: { code: 'invalid_request', message: 'amount (a positive number), currency and payee are required' },
} as const;

/** The JSON Schema of the body, for frameworks that validate with one (the Fastify example). */
export const transferSchema = {
  type: 'object',
  required: ['amount', 'currency', 'payee'],
  properties: {
    amount: { type: 'number', exclusiveMinimum: 0 },
    currency: { type: 'string' },
    payee: { type: 'string', minLength: 1 },
  },
} as const;
