#!/usr/bin/env node
import { CommanderError } from 'commander';
import { createProgram } from './program.js';

// The `stepgate` binary. Errors are one line on stderr and a non-zero exit code: 2 for a usage
// error (unknown command or option, a bad or missing argument), 1 when the command itself failed.
createProgram()
  .parseAsync(process.argv)
  .catch((error: unknown) => {
    // commander has printed the message and the usage already; --help and --version exit 0.
    if (error instanceof CommanderError) process.exit(error.exitCode === 0 ? 0 : 2);
    const exitCode = (error as { exitCode?: number }).exitCode ?? 1;
    process.stderr.write(`stepgate: ${(error as Error).message}\n`);
    process.exit(exitCode);
  });
