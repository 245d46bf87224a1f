/**
 * The peers, built from the shared rules: each returns a function from a context to
 * "decision[:level]" (json-rules-engine's is async).
 */
import * as cedar from '@cedar-policy/cedar-wasm/nodejs';
import { newEnforcer, newModelFromString } from 'casbin';
import { Engine } from 'json-rules-engine';
import type { Facts } from './contexts.js';
import { type BenchRule, decide, toCasbin, toCedar, toJre } from './rules.js';

export type SyncPeer = (facts: Facts) => string;

/** json-rules-engine 7.3: all rules, every matching event. */
export function jrePeer(rules: BenchRule[]): (facts: Facts) => Promise<string> {
  const engine = new Engine(toJre(rules) as never, { allowUndefinedFacts: true });
  engine.addOperator('prefix', (a: unknown, b: unknown) => typeof a === 'string' && a.startsWith(String(b)));
  const byId = new Map(rules.map((r) => [r.id, r]));
  return async (facts) => {
    const { events } = await engine.run(facts as unknown as Record<string, unknown>);
    return decide(
      byId,
      events.map((e) => e.type),
    );
  };
}

/** casbin 5.51: `eval()` matcher, rules in priority order, first match decides. */
export async function casbinPeer(rules: BenchRule[]): Promise<SyncPeer> {
  const model = newModelFromString(`[request_definition]
r = sub
[policy_definition]
p = sub_rule, id
[policy_effect]
e = some(where (p.eft == allow))
[matchers]
m = eval(p.sub_rule)
`);
  const enforcer = await newEnforcer(model);
  for (const [expr, id] of toCasbin(rules)) await enforcer.addPolicy(expr, id);
  const byId = new Map(rules.map((r) => [r.id, r]));
  return (facts) => {
    const [ok, explain] = enforcer.enforceExSync(facts);
    return ok ? decide(byId, [explain[1] as string]) : 'allow';
  };
}

let cedarSets = 0;

/** Cedar 4.13 (wasm): preparsed policy set, `statefulIsAuthorized`; reasons name the forbids that matched. */
export function cedarPeer(rules: BenchRule[]): SyncPeer {
  const id = `set${cedarSets++}`;
  const parsed = cedar.preparsePolicySet(id, { staticPolicies: toCedar(rules) });
  if (parsed.type !== 'success') throw new Error(`cedar: ${JSON.stringify(parsed.errors)}`);
  const byId = new Map(rules.map((r) => [r.id, r]));
  const principal = { type: 'User', id: 'u' };
  const action = { type: 'Action', id: 'act' };
  const resource = { type: 'Resource', id: 'r' };
  return (facts) => {
    const answer = cedar.statefulIsAuthorized({
      principal,
      action,
      resource,
      context: facts as unknown as Record<string, string | number | boolean>,
      preparsedPolicySetId: id,
      entities: [],
    });
    if (answer.type !== 'success') throw new Error(`cedar: ${JSON.stringify(answer.errors)}`);
    const { decision, diagnostics } = answer.response;
    return decision === 'allow' ? 'allow' : decide(byId, diagnostics.reason);
  };
}
