import { readFileSync } from 'node:fs';
import {
  type CompiledPolicy,
  compilePolicy,
  type IdpReach,
  locatePolicyIssues,
  type PolicyDocument,
  PolicyError,
  type PolicyIssue,
  parsePolicyDocument,
} from '@stepgate/policy-engine';
import type { AcrValues } from '@stepgate/protocol';

/** Policies as the `policies` option gives them: a document, YAML/JSON text, or a file path. */
export type PolicyInput = PolicyDocument | string;

/** Where the policies come from. */
export interface PolicySources {
  /** Policy files, merged in order. */
  files: string[];
  /** Inline documents (already parsed or text), merged after the files. */
  inline: PolicyInput[];
  /** Named IP lists: name → file of CIDRs. */
  ipListFiles: Record<string, string>;
  acrValues: AcrValues;
  /**
   * The configured identity providers: a policy naming another `idp:<id>`, or naming one with
   * `require.methods` its `methods` cannot prove, is refused at its line. Absent (`stepgate
   * policy check`): any provider id is accepted.
   */
  idps?: readonly IdpReach[];
}

/** Tells whether a `policies` string is inline text rather than a path. */
export function isInlinePolicyText(value: string): boolean {
  return /[\n{]/.test(value) || /^\s*(policies|default|methods|version|risk)\s*:/.test(value);
}

/** Reads a file of CIDRs: one per line, `#` comments and blank lines ignored. */
export function readIpList(file: string): string[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((line) => line.replace(/#.*/, '').trim())
    .filter(Boolean);
}

/** One document to merge: its name (a file, or `policies[i]`) and, when parsed from text, the text. */
export interface NamedDocument {
  doc: PolicyDocument;
  name: string;
  text?: string;
}

const pointer = (s: string): string => s.replace(/~/g, '~0').replace(/\//g, '~1');

/**
 * Merges several documents into one: policies are concatenated in order, `methods`, `ipLists`
 * and `risk` merged (later files override), `fields` merged (a field declared with two types is
 * an error), and every document must state the same `default`.
 *
 * @throws PolicyError `invalid_policy` when the defaults or two field declarations disagree.
 */
export function mergePolicyDocuments(docs: NamedDocument[]): PolicyDocument {
  const [first, ...rest] = docs;
  if (!first)
    throw new PolicyError('invalid_policy', [{ path: '', message: 'no policy document configured' }]);
  const merged: PolicyDocument = { ...first.doc, policies: [...first.doc.policies] };
  const declaredIn = new Map(Object.keys(first.doc.fields ?? {}).map((f) => [f, first.name]));
  for (const { doc, name, text } of rest) {
    const fail = (issue: PolicyIssue): never => {
      const [located] = text === undefined ? [issue] : locatePolicyIssues(text, [issue], name);
      throw new PolicyError('invalid_policy', [located ?? issue], { file: name });
    };
    if (doc.default !== merged.default) {
      fail({
        path: '/default',
        message: `default "${doc.default}" disagrees with "${merged.default}" of ${first.name}`,
      });
    }
    merged.policies.push(...doc.policies);
    if (doc.methods) merged.methods = { ...merged.methods, ...doc.methods };
    if (doc.ipLists) merged.ipLists = { ...merged.ipLists, ...doc.ipLists };
    if (doc.risk)
      merged.risk = {
        ...merged.risk,
        ...doc.risk,
        weights: { ...merged.risk?.weights, ...doc.risk.weights },
      };
    for (const [field, type] of Object.entries(doc.fields ?? {})) {
      const earlier = merged.fields?.[field];
      if (earlier !== undefined && earlier !== type) {
        fail({
          path: `/fields/${pointer(field)}`,
          message: `"${field}" is declared ${type} here but ${earlier} in ${declaredIn.get(field)}`,
        });
      }
      declaredIn.set(field, name);
    }
    if (doc.fields) merged.fields = { ...merged.fields, ...doc.fields };
  }
  return merged;
}

/**
 * Puts the problems `compilePolicy` found in the merged document back into the files they come
 * from: `/policies/7/when/…` is policy 2 of the second file when the first has five; a declared
 * field is in the file that declared it. Each issue gets its file and, for text, line and column.
 */
export function locateMergedIssues(
  docs: readonly NamedDocument[],
  issues: readonly PolicyIssue[],
): PolicyIssue[] {
  const fieldOwner = new Map<string, number>();
  docs.forEach((d, k) => {
    for (const f of Object.keys(d.doc.fields ?? {})) fieldOwner.set(`/fields/${pointer(f)}`, k);
  });
  return issues.map((issue) => {
    let owner: number | undefined;
    let path = issue.path;
    const policy = /^\/policies\/(\d+)(.*)$/.exec(issue.path);
    if (policy) {
      let index = Number(policy[1]);
      for (const [k, d] of docs.entries()) {
        if (index < d.doc.policies.length) {
          owner = k;
          path = `/policies/${index}${policy[2]}`;
          break;
        }
        index -= d.doc.policies.length;
      }
    } else {
      owner = fieldOwner.get(issue.path.split('/').slice(0, 3).join('/'));
    }
    const d = owner === undefined ? undefined : docs[owner];
    if (d === undefined) return issue;
    const moved = { ...issue, path };
    return d.text === undefined
      ? { ...moved, file: d.name }
      : (locatePolicyIssues(d.text, [moved], d.name)[0] ?? moved);
  });
}

/**
 * Reads, validates, merges and compiles the policies.
 *
 * @throws PolicyError `invalid_policy` with file, line and column of the first problem (every
 * problem, each with its file, in `issues`).
 */
export function loadPolicies(sources: PolicySources): CompiledPolicy {
  const docs: NamedDocument[] = [];
  // With their reach, so a policy naming a provider with methods it cannot prove is located too.
  const idpIds = sources.idps === undefined ? {} : { idps: sources.idps };
  for (const file of sources.files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (cause) {
      throw new PolicyError('invalid_policy', [{ path: '', message: 'cannot read the policy file' }], {
        file,
        cause,
      });
    }
    docs.push({ doc: parsePolicyDocument(text, { filename: file, ...idpIds }), name: file, text });
  }
  for (const [i, item] of sources.inline.entries()) {
    const name = `policies[${i}]`;
    docs.push(
      typeof item === 'string'
        ? { doc: parsePolicyDocument(item, { filename: name, ...idpIds }), name, text: item }
        : { doc: item, name },
    );
  }
  const ipLists: Record<string, string[]> = {};
  for (const [name, file] of Object.entries(sources.ipListFiles)) {
    try {
      ipLists[name] = readIpList(file);
    } catch (cause) {
      throw new PolicyError(
        'invalid_policy',
        [{ path: `/ipLists/${name}`, message: 'cannot read the IP list' }],
        {
          file,
          cause,
        },
      );
    }
  }
  try {
    return compilePolicy(mergePolicyDocuments(docs), {
      acrValues: sources.acrValues,
      ipLists,
      ...(sources.idps === undefined ? {} : { idps: sources.idps }),
    });
  } catch (error) {
    // Problems across files (a field used with two types, a duplicate id) point into the merged
    // document: put them back into their files.
    if (!(error instanceof PolicyError) || docs.length < 2 || error.file !== undefined) throw error;
    throw new PolicyError('invalid_policy', locateMergedIssues(docs, error.issues), { cause: error });
  }
}
