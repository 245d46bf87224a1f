/** What the backtest tests share: the candidate they replay history through, and the amounts sent. */

/** The candidate: a lower fresh-check threshold, and large USD transfers denied. */
export const CANDIDATE = `
policies:
  - id: fresh-check-for-transfers
    when: { action: payments.transfer, transaction.amount: { gt: 250 } }
    require: { level: aal1, maxAge: 0, bindTransaction: true }
  - id: usd-large
    when: { action: payments.transfer, transaction.currency: USD, transaction.amount: { gt: 5000 } }
    effect: deny
default: allow
`;

/** Transfer amounts, cycled through by the decisions each test sends. */
export const AMOUNTS = [100, 300, 600, 900, 2000, 8000, 15000, 400, 50, 7000];
