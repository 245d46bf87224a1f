/** The default of a policy's `onMissing` (docs/policies.md "Missing fields"). */
import type { OnMissing, PolicyRule } from './types.js';

/**
 * A policy's `onMissing`, the default resolved: a `deny` or step-up policy applies its own effect
 * (fail closed), an `allow` policy is skipped (not allowing is the strict side).
 *
 * @example
 * onMissingOf({ id: 'p', when: { 'transaction.amount': { gt: 500 } }, require: { level: 'aal1' } }); // 'step_up'
 */
export function onMissingOf(p: PolicyRule): OnMissing {
  if (p.onMissing !== undefined) return p.onMissing;
  if (p.require !== undefined) return 'step_up';
  return p.effect === 'deny' ? 'deny' : 'skip';
}
