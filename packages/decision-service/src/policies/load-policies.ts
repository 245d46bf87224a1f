import { readFileSync } from 'node:fs';
import {
  type CompiledPolicy,
  compilePolicy,
  type IdpReach,
  type PolicyDocument,
  PolicyError,
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
   * The configured identity providers: a policy naming another `idp:<id>` is refused at its line.
   * Absent (`stepgate policy check`): any provider id is accepted.
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

/**
 * Merges several documents into one: policies are concatenated in order, `methods`, `ipLists`
 * and `risk` merged (later files override), and every document must state the same `default`.
 *
 * @throws PolicyError `invalid_policy` when the defaults disagree.
 */
export function mergePolicyDocuments(docs: Array<{ doc: PolicyDocument; name: string }>): PolicyDocument {
  const [first, ...rest] = docs;
  if (!first)
    throw new PolicyError('invalid_policy', [{ path: '', message: 'no policy document configured' }]);
  const merged: PolicyDocument = { ...first.doc, policies: [...first.doc.policies] };
  for (const { doc, name } of rest) {
    if (doc.default !== merged.default) {
      throw new PolicyError(
        'invalid_policy',
        [
          {
            path: '/default',
            message: `default "${doc.default}" disagrees with "${merged.default}" of ${first.name}`,
          },
        ],
        { file: name },
      );
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
  }
  return merged;
}

/**
 * Reads, validates, merges and compiles the policies.
 *
 * @throws PolicyError `invalid_policy` with file, line and column of the first problem.
 */
export function loadPolicies(sources: PolicySources): CompiledPolicy {
  const docs: Array<{ doc: PolicyDocument; name: string }> = [];
  const idpIds = sources.idps === undefined ? {} : { idps: sources.idps.map((i) => i.id) };
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
    docs.push({ doc: parsePolicyDocument(text, { filename: file, ...idpIds }), name: file });
  }
  for (const [i, item] of sources.inline.entries()) {
    const name = `policies[${i}]`;
    docs.push({
      doc: typeof item === 'string' ? parsePolicyDocument(item, { filename: name, ...idpIds }) : item,
      name,
    });
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
  return compilePolicy(mergePolicyDocuments(docs), {
    acrValues: sources.acrValues,
    ipLists,
    ...(sources.idps === undefined ? {} : { idps: sources.idps }),
  });
}
