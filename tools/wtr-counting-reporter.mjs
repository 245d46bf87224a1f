// A @web/test-runner reporter that writes how many tests passed and failed to a JSON file,
// so tools/run-tests.mjs can sum every runner into one line. A test file that fails to load
// (a syntax error, a failed import) counts as one failure, never as zero tests.
import { writeFileSync } from 'node:fs';

function countSuite(suite, acc) {
  for (const test of suite.tests ?? []) {
    if (test.skipped) acc.skipped += 1;
    else if (test.passed) acc.passed += 1;
    else acc.failed += 1;
  }
  for (const child of suite.suites ?? []) countSuite(child, acc);
}

export function countingReporter(file) {
  return {
    onTestRunFinished({ sessions }) {
      const acc = { passed: 0, failed: 0, skipped: 0 };
      for (const session of sessions) {
        if (session.testResults) countSuite(session.testResults, acc);
        const loadFailed = !session.passed && (session.errors?.length ?? 0) > 0;
        const counted =
          (session.testResults?.tests?.length ?? 0) + (session.testResults?.suites?.length ?? 0);
        if (loadFailed || (!session.passed && counted === 0)) acc.failed += 1;
      }
      if (file) writeFileSync(file, JSON.stringify(acc));
    },
  };
}
