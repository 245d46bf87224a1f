import { type Command, Option } from 'commander';
import { runAuditCheckpoint, runAuditExport, runAuditVerify } from './commands/audit.js';
import type { CliIo } from './io.js';

/**
 * Adds `stepgate audit verify|checkpoint|export` to the program.
 *
 * @example
 * registerAuditCommands(createProgram(), processIo);
 */
export function registerAuditCommands(program: Command, io: CliIo): void {
  const audit = program.command('audit').description('verify, checkpoint and export the audit log');
  const configOption = () =>
    new Option('-c, --config <file>', 'configuration file (default: ./stepgate.yaml when present)');
  audit
    .command('verify')
    .description(
      'recompute the hash chain: finds flipped, deleted, inserted and reordered records; with --checkpoint also a truncated tail or a recomputed chain',
    )
    .addOption(configOption())
    .option('--checkpoint <file>', 'a checkpoint written by "stepgate audit checkpoint"')
    .action(async (opts: { config?: string; checkpoint?: string }) => {
      await runAuditVerify(opts, io);
    });
  audit
    .command('checkpoint')
    .description('sign the current head (record count + hash); keep the output away from the data directory')
    .addOption(configOption())
    .option('-o, --out <file>', 'write to this file (default: stdout)')
    .action(async (opts: { config?: string; out?: string }) => {
      await runAuditCheckpoint(opts, io);
    });
  audit
    .command('export')
    .description('stream every record as JSON lines, in order (progress on a terminal)')
    .addOption(configOption())
    .addOption(new Option('--format <format>', 'output format').choices(['jsonl']).default('jsonl'))
    .option('-o, --out <file>', 'write to this file (default: stdout)')
    .action(async (opts: { config?: string; format: string; out?: string }) => {
      await runAuditExport(opts, io);
    });
}
