/**
 * Errors of the policy engine. Codes are stable and listed in `POLICY_ERROR_CODES`
 * (docs/policies.md "Errors" documents each; a test checks the two agree).
 */

/** Every error code the policy engine throws. */
export const POLICY_ERROR_CODES = {
  /** The policy document is malformed: YAML syntax, schema or semantic error. */
  invalid_policy: 'The policy document is malformed (syntax, schema or semantics).',
  /** The policy test file is malformed. */
  invalid_policy_tests: 'The policy test file is malformed.',
} as const;

/** A stable policy error code. */
export type PolicyErrorCode = keyof typeof POLICY_ERROR_CODES;

/** One problem found in a document, located when the document came from text. */
export interface PolicyIssue {
  /** JSON pointer of the offending value, e.g. `/policies/3/require/maxAge`. */
  path: string;
  message: string;
  /** 1-based line and column, when known. */
  line?: number;
  column?: number;
  /** The file, when the problem is in one of several merged files. */
  file?: string;
}

/**
 * Thrown for a malformed policy document or test file. `file`, `line`, `column` and `path` locate
 * the first problem; `issues` lists all of them.
 *
 * @example
 * try { parsePolicyDocument(text, { filename: 'policies.yaml' }); }
 * catch (e) { if (e instanceof PolicyError) console.error(e.message); } // policies.yaml:4:12 /policies/0/effect: …
 */
export class PolicyError extends Error {
  override readonly name = 'PolicyError';
  readonly code: PolicyErrorCode;
  readonly file: string | undefined;
  readonly line: number | undefined;
  readonly column: number | undefined;
  readonly path: string;
  readonly issues: readonly PolicyIssue[];

  constructor(
    code: PolicyErrorCode,
    issues: readonly PolicyIssue[],
    options: { file?: string | undefined; cause?: unknown } = {},
  ) {
    const first: PolicyIssue = issues[0] ?? { path: '', message: 'invalid document' };
    const file = first.file ?? options.file;
    const where = [file, first.line, first.column].filter((x) => x !== undefined).join(':');
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
    super(
      `${where ? `${where} ` : ''}${first.path || '/'}: ${first.message}${more}`,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.code = code;
    this.file = file;
    this.line = first.line;
    this.column = first.column;
    this.path = first.path;
    this.issues = issues;
  }
}
