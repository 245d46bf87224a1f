#!/usr/bin/env node
import { createProgram } from './program.js';

// The `stepgate` binary. Errors are one line on stderr and a non-zero exit code.
createProgram()
  .parseAsync(process.argv)
  .catch((error: unknown) => {
    const exitCode = (error as { exitCode?: number }).exitCode ?? 1;
    process.stderr.write(`stepgate: ${(error as Error).message}\n`);
    process.exit(exitCode);
  });
