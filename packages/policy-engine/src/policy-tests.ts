/**
 * Policy tests (docs/policies.md "Policy tests"): a YAML file of cases, each an input and the
 * expected decision, level and matched policies. The CLI exposes it as `stepgate policy test`.
 */
import { DECISIONS, type Decision, isLevel } from '@stepgate/protocol';
import { PolicyError, type PolicyIssue } from './errors.js';
import { parseLocated } from './parse.js';
import type {
  CompiledPolicy,
  EvaluationInput,
  HistorySnapshot,
  PolicyTestReport,
  PolicyTestResult,
} from './types.js';

const EMPTY_HISTORY: HistorySnapshot = {
  enrolledMethods: [],
  device: { rememberedToken: false, fingerprintSeen: false, accountsOnDevice: 1 },
  recentFailures: 0,
  actionCounts: {},
};

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Deep-merges plain objects; arrays and scalars of `over` replace those of `base`. */
function merge(base: unknown, over: unknown): unknown {
  if (!isObj(base) || !isObj(over)) return over === undefined ? base : over;
  const out: Obj = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (k === '__proto__' || k === 'constructor' || k === 'prototype') continue;
    out[k] = merge(base[k], v);
  }
  return out;
}

interface Case {
  name: string;
  input: EvaluationInput;
  expect: {
    decision: Decision;
    level?: string;
    policies?: string[];
    reportOnly?: string[];
    invalid?: string;
  };
}

function readCases(value: unknown): { cases: Case[]; issues: PolicyIssue[] } {
  const issues: PolicyIssue[] = [];
  if (!isObj(value) || !Array.isArray(value.tests)) {
    return { cases: [], issues: [{ path: '', message: 'a policy test file has a "tests" list' }] };
  }
  const defaults = isObj(value.defaults) ? value.defaults : {};
  const cases: Case[] = [];
  for (const [i, t] of (value.tests as unknown[]).entries()) {
    const at = `/tests/${i}`;
    if (!isObj(t)) {
      issues.push({ path: at, message: 'a test case is a mapping' });
      continue;
    }
    if (typeof t.name !== 'string') issues.push({ path: `${at}/name`, message: 'a test case needs a name' });
    if (!isObj(t.input)) issues.push({ path: `${at}/input`, message: 'a test case needs an input mapping' });
    const e = t.expect;
    if (!isObj(e) || !(DECISIONS as readonly unknown[]).includes(e.decision)) {
      issues.push({ path: `${at}/expect`, message: 'expect.decision must be allow, step_up or deny' });
      continue;
    }
    if (e.level !== undefined && !isLevel(e.level)) {
      issues.push({ path: `${at}/expect/level`, message: 'expect.level must be aal1, aal2 or aal3' });
    }
    for (const key of ['policies', 'reportOnly'] as const) {
      const list = e[key];
      if (list !== undefined && !(Array.isArray(list) && list.every((x) => typeof x === 'string'))) {
        issues.push({ path: `${at}/expect/${key}`, message: `expect.${key} is a list of policy ids` });
      }
    }
    if (e.invalid !== undefined && typeof e.invalid !== 'string') {
      issues.push({ path: `${at}/expect/invalid`, message: 'expect.invalid is a field path' });
    }
    const input = merge({ now: 0, history: EMPTY_HISTORY, ...defaults }, t.input) as EvaluationInput;
    cases.push({ name: String(t.name), input, expect: e as Case['expect'] });
  }
  return { cases, issues };
}

const sameSet = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && [...a].sort().join('\n') === [...b].sort().join('\n');

/**
 * Runs a policy test file against a compiled policy. `defaults` (optional) is deep-merged under
 * every case's `input`; `expect.policies` (the policies that applied: matched, or applied their
 * `onMissing`) and `expect.reportOnly` compare as sets; `expect.invalid` names the field of the
 * wrong type that makes the request invalid (a case without it expects a valid request).
 *
 * @throws PolicyError `invalid_policy_tests` (located) when the file is malformed.
 * @example
 * const report = evaluateTests(policy, readFileSync('policies.test.yaml', 'utf8'), { filename: 'policies.test.yaml' });
 * if (report.failed > 0) process.exitCode = 1;
 */
export function evaluateTests(
  compiled: CompiledPolicy,
  testsText: string,
  options: { filename?: string } = {},
): PolicyTestReport {
  const { value, locate } = parseLocated(testsText, 'invalid_policy_tests', options.filename);
  const { cases, issues } = readCases(value);
  if (issues.length > 0)
    throw new PolicyError('invalid_policy_tests', issues.map(locate), { file: options.filename });
  const results: PolicyTestResult[] = cases.map((c) => {
    const v = compiled.evaluate(c.input);
    // Policies that applied: matched, or applied their onMissing (not the skipped ones).
    const policies = v.reasons
      .filter(
        (r) => r.code === 'policy_matched' || (r.code === 'field_missing' && r.values?.onMissing !== 'skip'),
      )
      .map((r) => r.policyId);
    const reportOnly = v.reportOnly.map((r) => r.policyId);
    const actual: PolicyTestResult['actual'] = { decision: v.decision, policies };
    if (v.requirement !== undefined) actual.level = v.requirement.level;
    if (v.invalid !== undefined) actual.invalid = v.invalid.field;
    const failures: string[] = [];
    if (v.decision !== c.expect.decision)
      failures.push(`decision: expected ${c.expect.decision}, got ${v.decision}`);
    if (c.expect.level !== undefined && c.expect.level !== actual.level) {
      failures.push(`level: expected ${c.expect.level}, got ${actual.level ?? 'none'}`);
    }
    if (
      c.expect.invalid !== actual.invalid &&
      (c.expect.invalid !== undefined || actual.invalid !== undefined)
    ) {
      failures.push(
        `invalid: expected ${c.expect.invalid ?? 'none'}, got ${actual.invalid ?? 'none'}${v.invalid ? ` (${v.reasons[0]?.detail})` : ''}`,
      );
    }
    if (c.expect.policies !== undefined && !sameSet(c.expect.policies, policies)) {
      failures.push(`policies: expected [${c.expect.policies.join(', ')}], got [${policies.join(', ')}]`);
    }
    if (c.expect.reportOnly !== undefined && !sameSet(c.expect.reportOnly, reportOnly)) {
      failures.push(
        `reportOnly: expected [${c.expect.reportOnly.join(', ')}], got [${reportOnly.join(', ')}]`,
      );
    }
    return { name: c.name, passed: failures.length === 0, failures, actual };
  });
  const passed = results.filter((r) => r.passed).length;
  return { passed, failed: results.length - passed, total: results.length, results };
}
