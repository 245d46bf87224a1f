import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { evaluateTests, PolicyError, parsePolicyDocument } from '@stepgate/policy-engine';
import { DEFAULT_ACR_VALUES } from '@stepgate/protocol';
import { loadPolicies } from '../../policies/load-policies.js';
import { CliError, type CliIo } from '../io.js';

/** One line per problem: `file:line:col path: message`. */
function problemLines(error: PolicyError): string[] {
  return error.issues.map((i) => {
    const where = [i.file ?? error.file, i.line, i.column].filter((x) => x !== undefined).join(':');
    return `${where ? `${where} ` : ''}${i.path || '/'}: ${i.message}`;
  });
}

/**
 * `stepgate policy check FILE…`: parses, validates and compiles policy files (merged as the
 * service would, with their field types) and prints the version and the typed fields, or every
 * problem with file:line:col — each file's own, then those across files (a field used with two
 * types, a duplicate id).
 *
 * @throws CliError (exit 1) for an invalid document.
 */
export function runPolicyCheck(files: string[], io: CliIo): void {
  const paths = files.map((f) => resolve(f));
  const problems: string[] = [];
  for (const file of paths) {
    try {
      parsePolicyDocument(readFileSync(file, 'utf8'), { filename: file });
    } catch (error) {
      if (error instanceof PolicyError) problems.push(...problemLines(error));
      else problems.push(`${file}: cannot read the policy file`);
    }
  }
  if (problems.length === 0) {
    try {
      const compiled = loadPolicies({
        files: paths,
        inline: [],
        ipListFiles: {},
        acrValues: DEFAULT_ACR_VALUES,
      });
      io.out(
        `ok: ${compiled.policyIds.length} policies, default ${compiled.defaultEffect}, version ${compiled.version}`,
      );
      for (const [path, f] of Object.entries(compiled.fields)) {
        const by =
          f.policies.length > 0 ? ` (${f.policies.join(', ')}${f.reportOnly ? ', report-only' : ''})` : '';
        io.out(`  ${path}: ${f.type}${f.declared ? ' declared' : ''}${by}`);
      }
      return;
    } catch (error) {
      if (!(error instanceof PolicyError)) throw new CliError((error as Error).message);
      problems.push(...problemLines(error));
    }
  }
  if (problems.length === 1) throw new CliError(problems[0] as string);
  for (const line of problems) io.err(line);
  throw new CliError(`${problems.length} problems in ${files.join(', ')} (listed above)`);
}

/** The policy file for a test file: `x.test.yaml` → `x.yaml`. */
export function policyFileForTests(testsFile: string): string | undefined {
  const guess = testsFile.replace(/\.test(\.(ya?ml|json))$/, '$1');
  return guess !== testsFile && existsSync(guess) ? guess : undefined;
}

/**
 * `stepgate policy test FILE [--policy P…]`: runs a policy test file (the engine's
 * `evaluateTests`) and prints one line per case.
 *
 * @throws CliError (exit 1) when a case fails or a file is invalid.
 */
export function runPolicyTest(testsFile: string, policyFiles: string[], io: CliIo): void {
  const files =
    policyFiles.length > 0 ? policyFiles : [policyFileForTests(testsFile)].filter((f) => f !== undefined);
  if (files.length === 0)
    throw new CliError(`no policy file: pass --policy FILE (none found beside ${testsFile})`);
  let report: ReturnType<typeof evaluateTests>;
  try {
    const compiled = loadPolicies({
      files: files.map((f) => resolve(f)),
      inline: [],
      ipListFiles: {},
      acrValues: DEFAULT_ACR_VALUES,
    });
    report = evaluateTests(compiled, readFileSync(testsFile, 'utf8'), { filename: testsFile });
  } catch (error) {
    throw new CliError((error as Error).message);
  }
  for (const r of report.results) {
    io.out(`${r.passed ? 'pass' : 'FAIL'}  ${r.name}`);
    for (const f of r.failures) io.out(`      ${f}`);
  }
  io.out(`${report.passed} passed, ${report.failed} failed`);
  if (report.failed > 0) throw new CliError(`${report.failed} policy test(s) failed`);
}
