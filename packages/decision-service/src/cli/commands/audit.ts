import { once } from 'node:events';
import { createWriteStream, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { checkpointKey, createCheckpoint, parseCheckpoint } from '../../audit/audit-checkpoint.js';
import type { AuditChainSource } from '../../audit/audit-port.js';
import { AuditReader, recordFromRow } from '../../audit/audit-reader.js';
import { AUDIT_DB_FILE_NAME } from '../../audit/audit-schema.js';
import { verifyAuditRows } from '../../audit/audit-verify.js';
import type { ServiceConfig } from '../../config/service-config.js';
import { loadMasterKey } from '../../secrets/master-key.js';
import { CliError, type CliIo } from '../io.js';
import { cliConfig, openCliStores } from '../open-store.js';

/** The chain of the configured family: `<dataDir>/audit.db`, or PostgreSQL's shared one. */
async function openReader(config: ServiceConfig): Promise<AuditChainSource> {
  if (config.store.type !== 'sqlite') {
    const stores = await openCliStores(config);
    if (stores.auditSource) {
      const source = stores.auditSource();
      return { ...source, close: () => source.close().then(() => stores.close()) };
    }
    await stores.close();
  }
  const file = join(config.dataDir, AUDIT_DB_FILE_NAME);
  if (!existsSync(file)) throw new CliError(`no audit log at ${file}`);
  const reader = AuditReader.openFile(file);
  return {
    head: async () => reader.head(),
    async *rows() {
      yield* reader.rows();
    },
    close: async () => reader.close(),
  };
}

const masterKey = (config: ServiceConfig) =>
  loadMasterKey({ envValue: process.env.STEPGATE_MASTER_KEY, keyFile: config.keyFile });

/**
 * `stepgate audit verify [--checkpoint FILE]`: recomputes the hash chain (S28). Prints the
 * problems found and fails with exit code 2 when there is any.
 *
 * @throws CliError (exit code 2) when the log or the checkpoint does not verify.
 */
export async function runAuditVerify(options: { config?: string; checkpoint?: string }, io: CliIo) {
  const config = cliConfig(options.config);
  const reader = await openReader(config);
  try {
    let checkpoint: ReturnType<typeof parseCheckpoint>;
    if (options.checkpoint !== undefined) {
      checkpoint = parseCheckpoint(readFileSync(options.checkpoint, 'utf8'));
      if (!checkpoint) throw new CliError(`${options.checkpoint} is not an audit checkpoint`);
    }
    const report = await verifyAuditRows(reader.rows(), {
      ...(checkpoint ? { checkpoint, publicKey: checkpointKey(masterKey(config)).publicKey } : {}),
      onProgress: (n) => {
        if (process.stderr.isTTY) process.stderr.write(`\rverified ${n} records`);
      },
    });
    if (process.stderr.isTTY) process.stderr.write('\r');
    for (const p of report.problems) io.out(`seq ${p.seq}: ${p.kind}: ${p.message}`);
    if (!report.ok)
      throw new CliError(`audit log verification FAILED (${report.problems.length} problems)`, 2);
    io.out(
      `audit log OK: ${report.count} records, head ${report.headSeq} ${report.headHash}${
        checkpoint ? `; checkpoint at seq ${checkpoint.seq} matches` : ''
      }`,
    );
    return report;
  } finally {
    await reader.close();
  }
}

/**
 * `stepgate audit checkpoint [--out FILE]`: signs the current head (count + hash) with the
 * checkpoint key derived from the master key. Keep the file away from the data directory.
 */
export async function runAuditCheckpoint(options: { config?: string; out?: string }, io: CliIo) {
  const config = cliConfig(options.config);
  const reader = await openReader(config);
  try {
    const checkpoint = createCheckpoint(await reader.head(), checkpointKey(masterKey(config)), Date.now());
    const text = `${JSON.stringify(checkpoint, null, 2)}\n`;
    if (options.out === undefined) io.out(text);
    else {
      writeFileSync(options.out, text, { flag: 'wx' });
      io.err(`checkpoint at seq ${checkpoint.seq} written to ${options.out}`);
    }
    return checkpoint;
  } finally {
    await reader.close();
  }
}

/**
 * `stepgate audit export --format jsonl [--out FILE]`: streams every record, one JSON object per
 * line, in seq order (so the output can be verified again), with progress on a terminal.
 */
export async function runAuditExport(
  options: { config?: string; format?: string; out?: string },
  io: CliIo,
  output: Writable = process.stdout,
): Promise<number> {
  if ((options.format ?? 'jsonl') !== 'jsonl') throw new CliError('only --format jsonl is supported');
  const config = cliConfig(options.config);
  const reader = await openReader(config);
  const out = options.out === undefined ? output : createWriteStream(options.out, { flags: 'wx' });
  const progress = process.stderr.isTTY === true;
  try {
    const total = (await reader.head()).count;
    let n = 0;
    for await (const row of reader.rows()) {
      if (!out.write(`${JSON.stringify(recordFromRow(row))}\n`)) await once(out, 'drain');
      n++;
      if (progress && n % 1000 === 0) process.stderr.write(`\rexported ${n}/${total}`);
    }
    if (progress) process.stderr.write(`\rexported ${n}/${total}\n`);
    if (out !== output) {
      out.end();
      await once(out, 'finish');
      io.err(`${n} records written to ${options.out}`);
    }
    return n;
  } finally {
    await reader.close();
  }
}
