/**
 * Document validation: the JSON Schema first (Ajv), then semantic checks (duplicate ids, effect,
 * `require` and `onMissing` consistency, disabled methods, CIDRs, list names, conditions, field
 * types). Problems carry
 * JSON pointers; parse.ts turns them into file, line and column.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import { type CondNode, compileCondition } from './condition.js';
import { parseDuration } from './duration.js';
import type { PolicyIssue } from './errors.js';
import { type TypedField, typeFields } from './field-types.js';
import { cidrError } from './ip.js';
import { policySchema } from './schema.js';
import type { IdpReach, PolicyDocument } from './types.js';

let validator: ValidateFunction | undefined;

function schemaValidator(): ValidateFunction {
  validator ??= new Ajv({ allErrors: true, strict: false }).compile(policySchema);
  return validator;
}

/** A document that passed validation, with its compiled conditions, merged IP lists and field types. */
export interface CheckedDocument {
  doc: PolicyDocument;
  conditions: CondNode[];
  lists: Map<string, readonly string[]>;
  /** Every typed request field, enforced ones first (field-types.ts). */
  typed: TypedField[];
}

function schemaIssues(doc: unknown): PolicyIssue[] {
  const validate = schemaValidator();
  if (validate(doc)) return [];
  const seen = new Set<string>();
  const issues: PolicyIssue[] = [];
  for (const e of validate.errors ?? []) {
    const params = e.params as Record<string, unknown>;
    let path = e.instancePath;
    let message = e.message ?? 'is invalid';
    if (e.keyword === 'additionalProperties') {
      path = `${path}/${String(params.additionalProperty)}`;
      message = 'is not an allowed property';
    } else if (e.keyword === 'required') {
      message = `must have the property "${String(params.missingProperty)}"`;
    } else if (e.keyword === 'enum') {
      message = `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    }
    const key = `${path} ${message}`;
    if (seen.has(key) || (e.keyword === 'oneOf' && issues.some((i) => i.path === path))) continue;
    seen.add(key);
    issues.push({ path, message });
  }
  return issues;
}

/** A configured identity provider as validation sees it: its id, or its reach (id and methods). */
export type IdpRef = string | IdpReach;

const idOf = (i: IdpRef): string => (typeof i === 'string' ? i : i.id);

/**
 * Validates a document; returns the problems, or the checked document when there are none.
 * `extraLists` are lists from compile options, merged with (and overriding) the document's.
 * `idps`, when given, are the configured identity providers: `performer: idp:<id>` must name one
 * of them, and when it comes with `require.methods`, a provider given with its reach must have
 * one of those methods (a bare id is checked for existence only).
 */
export function checkDocument(
  input: unknown,
  extraLists: Record<string, string[]> = {},
  idps?: readonly IdpRef[],
): { issues: PolicyIssue[]; checked?: CheckedDocument } {
  const issues = schemaIssues(input);
  if (issues.length > 0) return { issues };
  const doc = input as PolicyDocument;
  const lists = new Map<string, readonly string[]>();
  const addLists = (source: Record<string, string[]>, at: string) => {
    for (const [name, cidrs] of Object.entries(source)) {
      if (name === '__proto__' || name === 'constructor' || name === 'prototype') {
        issues.push({ path: `${at}/${name}`, message: `"${name}" is a reserved name` });
        continue;
      }
      if (!Array.isArray(cidrs)) {
        issues.push({ path: `${at}/${name}`, message: 'an IP list is a list of CIDR ranges' });
        continue;
      }
      cidrs.forEach((cidr, i) => {
        const error = cidrError(cidr);
        if (error !== undefined) issues.push({ path: `${at}/${name}/${i}`, message: error });
      });
      lists.set(name, cidrs);
    }
  };
  addLists(doc.ipLists ?? {}, '/ipLists');
  addLists(extraLists, '(options.ipLists)');
  for (const name of Object.keys(doc.risk?.lists ?? {})) {
    if (!lists.has(name)) issues.push({ path: `/risk/lists/${name}`, message: `unknown IP list "${name}"` });
  }
  const t = doc.risk?.thresholds;
  if ((t?.medium ?? 30) > (t?.high ?? 60)) {
    issues.push({ path: '/risk/thresholds', message: 'the medium threshold is above the high threshold' });
  }
  const ids = new Map<string, number>();
  const conditions = doc.policies.map((p, i) => {
    const at = `/policies/${i}`;
    const earlier = ids.get(p.id);
    if (earlier !== undefined) {
      issues.push({
        path: `${at}/id`,
        message: `duplicate policy id "${p.id}" (also /policies/${earlier}/id)`,
      });
    } else ids.set(p.id, i);
    if (p.require !== undefined && p.effect !== undefined && p.effect !== 'step_up') {
      issues.push({
        path: `${at}/effect`,
        message: `"require" implies step_up; effect "${p.effect}" contradicts it`,
      });
    }
    if (p.require === undefined && (p.effect === undefined || p.effect === 'step_up')) {
      issues.push({ path: at, message: 'a policy needs "effect: allow|deny" or a "require" (step_up)' });
    }
    if (p.onMissing === 'step_up' && p.require === undefined) {
      issues.push({
        path: `${at}/onMissing`,
        message: '"onMissing: step_up" needs a "require" (the step-up to ask for)',
      });
    }
    // S34: a token for this request only is bound to its action; "any action" would contradict it.
    if (
      p.require?.anyAction === true &&
      (p.require.bindTransaction === true || parseDuration(p.require.maxAge) === 0)
    ) {
      issues.push({
        path: `${at}/require/anyAction`,
        message:
          'anyAction cannot be combined with bindTransaction or maxAge 0 (their token is bound to this request)',
      });
    }
    const performer = p.require?.performer;
    if (idps !== undefined && performer?.startsWith('idp:')) {
      const id = performer.slice(4);
      const idp = idps.find((i) => idOf(i) === id);
      if (idp === undefined) {
        issues.push({
          path: `${at}/require/performer`,
          message: `unknown identity provider "${id}" (configured: ${idps.map(idOf).join(', ') || 'none'})`,
        });
      } else if (typeof idp !== 'string' && p.require?.methods !== undefined) {
        // Its token must show an allowed method (docs/idp.md "Restricting methods across performers").
        const can = idp.methods ?? [];
        if (!p.require.methods.some((m) => can.includes(m))) {
          issues.push({
            path: `${at}/require/methods`,
            message:
              can.length === 0
                ? `identity provider "${id}" cannot perform a step-up restricted to methods: its configuration has no "methods" map of amr values`
                : `identity provider "${id}" cannot perform any of these methods (its "methods" map gives ${can.join(', ')})`,
          });
        }
      }
    }
    p.require?.methods?.forEach((m, j) => {
      if (doc.methods?.[m] === false) {
        issues.push({
          path: `${at}/require/methods/${j}`,
          message: `method "${m}" is disabled in this document`,
        });
      }
    });
    return compileCondition(p.when ?? {}, `${at}/when`, { issues, lists });
  });
  const typed = typeFields(doc, conditions, issues);
  if (issues.length > 0) return { issues };
  return { issues, checked: { doc, conditions, lists, typed } };
}
