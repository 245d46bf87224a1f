import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { CompiledPolicy } from '@stepgate/policy-engine';
import { DEFAULT_ACR_VALUES } from '@stepgate/protocol';
import { type Command, Option } from 'commander';
import type { BacktestSource } from '../audit/audit-port.js';
import { AuditReader } from '../audit/audit-reader.js';
import { AUDIT_DB_FILE_NAME } from '../audit/audit-schema.js';
import { sqliteBacktestSource } from '../audit/sqlite-analytics.js';
import { CliError, type CliIo } from '../cli/io.js';
import { cliConfig, openCliStores } from '../cli/open-store.js';
import type { ServiceConfig } from '../config/service-config.js';
import { loadPolicies } from '../policies/load-policies.js';
import { type BacktestReport, parseWhen, runBacktest } from './backtest.js';
import { reportLines } from './report-table.js';
import { type WhatIfAnswer, whatIf, whatIfInput, whatIfLines } from './whatif.js';

const collect = (value: string, previous: string[]) => [...previous, value];

function compile(files: string[], config: ServiceConfig | undefined): CompiledPolicy {
  try {
    return loadPolicies({
      files: files.map((f) => resolve(f)),
      inline: [],
      ipListFiles: config?.ipLists ?? {},
      acrValues: config?.acrValues ?? DEFAULT_ACR_VALUES,
    });
  } catch (error) {
    throw new CliError(`${files.join(', ')}: ${(error as Error).message}`);
  }
}

/** Options of `stepgate backtest`. */
export interface BacktestCliOptions {
  config?: string;
  policy: string[];
  since: string;
  until?: string;
  format: 'table' | 'json';
}

/**
 * The audit log a backtest reads: `<dataDir>/audit.db` (embedded family), else the configured store
 * family's own chain (PostgreSQL), read-only. `close` releases what was opened.
 */
async function backtestSource(
  config: ServiceConfig,
): Promise<{ source: BacktestSource; close(): Promise<void> }> {
  if (config.store.type === 'sqlite') {
    const file = join(config.dataDir, AUDIT_DB_FILE_NAME);
    if (!existsSync(file)) throw new CliError(`no audit log at ${file}`);
    const reader = AuditReader.openFile(file);
    return { source: sqliteBacktestSource(reader), close: async () => reader.close() };
  }
  // Never migrates: a backtest only reads, and a schema that is not there yet has nothing to read.
  const stores = await openCliStores(config, false);
  try {
    const log = await stores.openAudit?.({});
    if (log?.analytics === undefined) {
      await log?.close();
      throw new CliError(`store.type ${config.store.type} keeps no audit log that a backtest can read`);
    }
    const source = log.analytics.openBacktestSource();
    return {
      source,
      async close() {
        await source.close();
        await log.close();
        await stores.close();
      },
    };
  } catch (error) {
    await stores.close();
    throw error;
  }
}

/**
 * `stepgate backtest --policy FILE… [--since 7d] [--until T] [--format table|json]`: replays the
 * window's replayable decisions through the candidate policies and the policies in force (from
 * the configuration), reading the audit log of the data directory (`store.type: sqlite`) or of
 * the database (`store.type: postgres`); progress on a terminal.
 *
 * @throws CliError (exit 1) for a bad option, a candidate that does not compile or no audit log.
 */
export async function runBacktestCommand(o: BacktestCliOptions, io: CliIo): Promise<BacktestReport> {
  if (o.policy.length === 0) throw new CliError('pass the candidate with --policy FILE');
  const now = Date.now();
  const since = parseWhen(o.since, now);
  if (since === undefined) throw new CliError(`--since ${o.since}: a duration (7d, 12h) or an RFC 3339 time`);
  const until = o.until === undefined ? now : parseWhen(o.until, now);
  if (until === undefined) throw new CliError(`--until ${o.until}: a duration (1d) or an RFC 3339 time`);
  if (until <= since) throw new CliError('--until must be after --since');
  const config = cliConfig(o.config);
  if (config.policies.length === 0) throw new CliError('no policies in force: set "policies" in the config');
  const current = compile(config.policies, config);
  const candidate = compile(o.policy, config);
  const { source, close } = await backtestSource(config);
  const tty = process.stderr.isTTY;
  try {
    const report = await runBacktest({
      reader: source,
      current,
      candidate,
      since,
      until,
      ...(tty
        ? {
            onProgress: (done: number, total: number) =>
              process.stderr.write(
                `\rreplayed ${done.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} decisions`,
              ),
          }
        : {}),
    });
    if (tty) process.stderr.write('\n');
    if (o.format === 'json') io.out(JSON.stringify(report, null, 2));
    else for (const line of reportLines(report)) io.out(line);
    return report;
  } finally {
    await close();
  }
}

/**
 * `stepgate policy whatif --policy FILE… --input request.json [--format table|json]`: one request
 * (a decision request, or `{ request, now, history }`) through the candidate policies; nothing is
 * written.
 *
 * @throws CliError (exit 1) for an unreadable input or a candidate that does not compile.
 */
export function runWhatIfCommand(
  o: { policy: string[]; input: string; format: 'table' | 'json' },
  io: CliIo,
): WhatIfAnswer {
  if (o.policy.length === 0) throw new CliError('pass the candidate with --policy FILE');
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(o.input, 'utf8'));
  } catch (error) {
    throw new CliError(`${o.input}: ${(error as Error).message}`);
  }
  const input = whatIfInput(value, Math.floor(Date.now() / 1000));
  if (!input)
    throw new CliError(`${o.input}: not a decision request (subject, action) nor { request, now, history }`);
  const answer = whatIf(compile(o.policy, undefined), input);
  if (o.format === 'json') io.out(JSON.stringify(answer, null, 2));
  else for (const line of whatIfLines(answer)) io.out(line);
  return answer;
}

/**
 * Adds `stepgate backtest` and `stepgate policy whatif` (the `policy` command must exist).
 *
 * @example
 * registerTuningCommands(program, processIo);
 */
export function registerTuningCommands(program: Command, io: CliIo): void {
  const format = () =>
    new Option('--format <format>', 'output format').choices(['table', 'json']).default('table');
  program
    .command('backtest')
    .description(
      'replay the replayable decisions of a window through candidate policies and compare with the policies in force (docs/operators.md)',
    )
    .option('-c, --config <file>', 'configuration file (default: ./stepgate.yaml when present)')
    .option('--policy <file>', 'candidate policy file (repeatable, merged in order)', collect, [] as string[])
    .option(
      '--since <when>',
      'start of the window: a duration back from now (7d, 12h) or an RFC 3339 time',
      '7d',
    )
    .option('--until <when>', 'end of the window (default: now)')
    .addOption(format())
    .action(async (opts: BacktestCliOptions) => {
      await runBacktestCommand(opts, io);
    });
  const policy = program.commands.find((c) => c.name() === 'policy');
  if (!policy) throw new Error('the policy command must be registered first');
  policy
    .command('whatif')
    .description(
      "one request through candidate policies: the verdict and each non-matching policy's first failing condition; nothing is written",
    )
    .option('--policy <file>', 'candidate policy file (repeatable)', collect, [] as string[])
    .requiredOption('--input <file>', 'a decision request, or { request, now, history } (JSON)')
    .addOption(format())
    .action((opts: { policy: string[]; input: string; format: 'table' | 'json' }) => {
      runWhatIfCommand(opts, io);
    });
}
