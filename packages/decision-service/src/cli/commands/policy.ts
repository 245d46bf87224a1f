import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { evaluateTests } from '@stepgate/policy-engine';
import { DEFAULT_ACR_VALUES } from '@stepgate/protocol';
import { loadPolicies } from '../../policies/load-policies.js';
import { CliError, type CliIo } from '../io.js';

/**
 * `stepgate policy check FILE…`: parses, validates and compiles policy files (merged as the
 * service would) and prints the version, or the first problem with file:line:col.
 *
 * @throws CliError (exit 1) for an invalid document.
 */
export function runPolicyCheck(files: string[], io: CliIo): void {
  try {
    const compiled = loadPolicies({
      files: files.map((f) => resolve(f)),
      inline: [],
      ipListFiles: {},
      acrValues: DEFAULT_ACR_VALUES,
    });
    io.out(
      `ok: ${compiled.policyIds.length} policies, default ${compiled.defaultEffect}, version ${compiled.version}`,
    );
  } catch (error) {
    throw new CliError((error as Error).message);
  }
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
