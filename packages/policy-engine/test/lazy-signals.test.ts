import { describe, expect, it } from 'vitest';
import { compileYaml, history, input, request } from './fixtures.js';

/**
 * Issue 18: before matching, only the signal groups the candidate policies of the action read are
 * computed; the rest wait until the verdict's risk is read. Observed through a getter on the request
 * member each group reads (`context.geo` for geo-velocity, `context.ip` for the IP lists).
 */
const policy = compileYaml(`
ipLists: { tor: [185.220.100.0/22] }
risk: { lists: { tor: 1 } }
policies:
  - { id: travel, when: { action: payments.transfer, risk.geo.impossibleTravel: true }, require: { level: aal2 } }
  - { id: tor, when: { action: payments.**, risk.ip.reputation: tor }, effect: deny }
default: allow
`);

function counted(action: string) {
  const reads = { geo: 0, ip: 0 };
  const req = request(action);
  const context = { ...req.context } as Record<string, unknown>;
  const geo = { country: 'FR', lat: 48.85, lon: 2.35 };
  const ip = '185.220.100.9';
  delete context.geo;
  delete context.ip;
  Object.defineProperty(context, 'geo', {
    enumerable: true,
    get: () => {
      reads.geo += 1;
      return geo;
    },
  });
  Object.defineProperty(context, 'ip', {
    enumerable: true,
    get: () => {
      reads.ip += 1;
      return ip;
    },
  });
  const h = history(undefined, {
    last: { at: 1_767_225_600 - 60, geo: { country: 'US', lat: 40.7, lon: -74 } },
  });
  return { reads, input: input({ ...req, context: context as never }, h) };
}

describe('signals computed per action (issue 18)', () => {
  it('an action no policy gates reads neither geo nor the IP lists until the risk is read', () => {
    const { reads, input: i } = counted('reports.read');
    const verdict = policy.evaluate(i);
    expect(verdict.decision).toBe('allow');
    expect(reads).toEqual({ geo: 0, ip: 0 });
    // Reading the risk computes every signal, with the same values as before.
    expect(verdict.risk.signals).toMatchObject({ 'geo.impossibleTravel': true, 'ip.reputation': ['tor'] });
    expect(reads.geo).toBeGreaterThan(0);
    expect(reads.ip).toBeGreaterThan(0);
  });

  it('an action with candidates computes only the groups they read', () => {
    const refund = counted('payments.refund');
    expect(policy.evaluate(refund.input).decision).toBe('deny');
    expect(refund.reads.geo).toBe(0);
    expect(refund.reads.ip).toBeGreaterThan(0);
    const transfer = counted('payments.transfer');
    const verdict = policy.evaluate(transfer.input);
    expect(verdict.decision).toBe('deny');
    expect(transfer.reads.geo).toBeGreaterThan(0);
    expect(verdict.reasons.map((r) => r.policyId).sort()).toEqual(['tor', 'travel']);
  });

  it('whatIf still sees every policy, with every group it reads', () => {
    const { input: i } = counted('reports.read');
    const result = policy.whatIf(i);
    expect(result.notMatched.map((n) => n.policyId).sort()).toEqual(['tor', 'travel']);
  });
});
