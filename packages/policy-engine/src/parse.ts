/**
 * `parsePolicyDocument`: YAML or JSON text to a validated document, with errors located by file,
 * line, column and JSON path (the `yaml` package's LineCounter and node ranges).
 */
import { isNode, LineCounter, parseDocument } from 'yaml';
import { PolicyError, type PolicyErrorCode, type PolicyIssue } from './errors.js';
import type { PolicyDocument } from './types.js';
import { checkDocument, type IdpRef } from './validate.js';

/** Largest document accepted, in characters. */
const MAX_TEXT = 4 * 1024 * 1024;

const unescapePointer = (s: string): string => s.replace(/~1/g, '/').replace(/~0/g, '~');

/**
 * Parses YAML text (JSON is YAML too) and returns the plain value plus a function that locates a
 * JSON pointer in the text; throws `PolicyError` with `code` for syntax errors.
 */
export function parseLocated(
  text: string,
  code: PolicyErrorCode,
  filename?: string,
): { value: unknown; locate: (issue: PolicyIssue) => PolicyIssue } {
  if (typeof text !== 'string')
    throw new PolicyError(code, [{ path: '', message: 'the document is not text' }], { file: filename });
  if (text.length > MAX_TEXT) {
    throw new PolicyError(
      code,
      [{ path: '', message: `the document is larger than ${MAX_TEXT} characters` }],
      { file: filename },
    );
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const issues = doc.errors.map((e) => {
      const pos = lineCounter.linePos(e.pos[0]);
      return { path: '', message: e.message.split('\n')[0] ?? e.code, line: pos.line, column: pos.col };
    });
    throw new PolicyError(code, issues, { file: filename });
  }
  const value = doc.toJS({ maxAliasCount: 100 }) as unknown;
  const locate = (issue: PolicyIssue): PolicyIssue => {
    const segments = issue.path.split('/').slice(1).map(unescapePointer);
    // The deepest existing node on the path: a missing property is reported at its parent.
    for (let n = segments.length; n >= 0; n--) {
      const keys = segments.slice(0, n).map((s) => (/^\d+$/.test(s) ? Number(s) : s));
      const node = n === 0 ? doc.contents : doc.getIn(keys, true);
      if (isNode(node) && node.range) {
        const pos = lineCounter.linePos(node.range[0]);
        return { ...issue, line: pos.line, column: pos.col };
      }
    }
    return issue;
  };
  return { value, locate };
}

/**
 * Parses and validates a policy document in YAML or JSON.
 *
 * @throws PolicyError `invalid_policy` with `file`, `line`, `column` and `path` of the first
 *   problem (all of them in `issues`): YAML syntax, JSON Schema, or semantic errors — among them
 *   a `performer: idp:<id>` that is not one of `options.idps`, when given, or that comes with
 *   `require.methods` none of which that provider's `methods` gives (when given with its reach).
 * @example
 * const doc = parsePolicyDocument('policies: []\ndefault: deny\n', { filename: 'policies.yaml' });
 */
export function parsePolicyDocument(
  text: string,
  options: { filename?: string; idps?: readonly IdpRef[] } = {},
): PolicyDocument {
  const { value, locate } = parseLocated(text, 'invalid_policy', options.filename);
  const { issues } = checkDocument(value, {}, options.idps);
  if (issues.length > 0)
    throw new PolicyError('invalid_policy', issues.map(locate), { file: options.filename });
  return value as PolicyDocument;
}

/**
 * Locates problems found in a document parsed from `text` (for example by `compilePolicy` after
 * several files were merged): each issue gets the line and column of its JSON path, and `file`.
 *
 * @example
 * const located = locatePolicyIssues(text, error.issues, 'policies.yaml'); // [{ path, message, line, column, file }]
 */
export function locatePolicyIssues(
  text: string,
  issues: readonly PolicyIssue[],
  filename?: string,
): PolicyIssue[] {
  const { locate } = parseLocated(text, 'invalid_policy', filename);
  return issues.map((i) => {
    const located = locate(i);
    return filename === undefined ? located : { ...located, file: filename };
  });
}
