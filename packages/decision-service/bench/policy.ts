/** A realistic policy set for the benchmark (the shape of docs/design/README.md's sketch). */
export const BENCH_POLICY = `
policies:
  - id: fresh-check-for-transfers
    when: { action: payments.transfer, transaction.amount: { gt: 500 } }
    require: { level: aal1, maxAge: 0, bindTransaction: true }
  - id: high-value-transfer
    when: { action: payments.transfer, transaction.amount: { gt: 10000 } }
    require: { level: aal2, maxAge: 0, bindTransaction: true }
  - id: admin-area
    when: { action: "admin.*" }
    require: { level: aal2, maxAge: 15m }
  - id: impossible-travel
    when: { risk.geo.velocityKmh: { gt: 900 } }
    require: { level: aal2 }
  - id: new-device-payee
    when: { action: payments.payee.add, risk.device.new: true }
    require: { level: aal2 }
  - id: too-many-failures
    when: { risk.failures.recent: { gte: 10 } }
    effect: deny
default: allow
`;
