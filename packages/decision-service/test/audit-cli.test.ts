import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { AuditLog } from '../src/audit/audit-log.js';
import { createProgram } from '../src/cli/program.js';
import { writeMasterKeyFile } from '../src/secrets/master-key.js';
import { freshDir } from './helpers.js';

async function stepgate(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const program = createProgram({ out: (s) => out.push(s), err: (s) => err.push(s) }).exitOverride();
  try {
    await program.parseAsync(['node', 'stepgate', ...args]);
    return { code: 0, out: out.join(''), err: err.join('') };
  } catch (error) {
    return {
      code: (error as { exitCode?: number }).exitCode ?? 1,
      out: out.join(''),
      err: `${err.join('')}${(error as Error).message}`,
    };
  }
}

/** A data dir with a key file, a config and an audit log of `n` records. */
async function setup(n: number) {
  const dir = freshDir();
  const dataDir = join(dir, 'data');
  writeMasterKeyFile(join(dir, 'stepgate.key'));
  const config = join(dir, 'stepgate.json');
  writeFileSync(config, JSON.stringify({ dataDir, keyFile: join(dir, 'stepgate.key'), policies: [] }));
  const log = await AuditLog.open({ file: join(dataDir, 'audit.db') });
  await Promise.all(
    Array.from({ length: n }, (_, i) =>
      log.append({
        type: 'factor.added',
        who: { userId: `u${i}` },
        what: { method: 'totp' },
        factorId: `fac_${i}`,
      }),
    ),
  );
  await log.close();
  return { dir, config, db: join(dataDir, 'audit.db') };
}

describe('stepgate audit', () => {
  it('S28: checkpoint, then verify with it; export streams every record as JSON lines', async () => {
    const { dir, config } = await setup(30);
    const cpFile = join(dir, 'cp.json');
    expect((await stepgate(['audit', 'checkpoint', '-c', config, '--out', cpFile])).code).toBe(0);
    const cp = JSON.parse(readFileSync(cpFile, 'utf8'));
    expect(cp).toMatchObject({ v: 1, alg: 'Ed25519', count: 30, seq: 30 });
    const ok = await stepgate(['audit', 'verify', '-c', config, '--checkpoint', cpFile]);
    expect(ok.code).toBe(0);
    expect(ok.out).toContain('audit log OK: 30 records');
    const outFile = join(dir, 'audit.jsonl');
    expect(
      (await stepgate(['audit', 'export', '-c', config, '--format', 'jsonl', '--out', outFile])).code,
    ).toBe(0);
    const lines = readFileSync(outFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(30);
    expect(lines.map((l) => l.seq)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(lines[0]).toMatchObject({ prevHash: '0'.repeat(64), event: { type: 'factor.added' } });
  });

  it('S28: verify exits 2 and names the record for a flipped one, and for a cut tail against the checkpoint', async () => {
    const { dir, config, db } = await setup(10);
    const cpFile = join(dir, 'cp.json');
    await stepgate(['audit', 'checkpoint', '-c', config, '--out', cpFile]);
    const raw = new Database(db);
    raw.exec('DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;');
    raw.prepare("UPDATE audit_log SET event = replace(event, 'fac_3', 'fac_X') WHERE seq = 4").run();
    const flipped = await stepgate(['audit', 'verify', '-c', config]);
    expect(flipped.code).toBe(2);
    expect(flipped.out).toContain('seq 4: hash_mismatch');
    raw.prepare("UPDATE audit_log SET event = replace(event, 'fac_X', 'fac_3') WHERE seq = 4").run();
    raw.prepare('DELETE FROM audit_log WHERE seq > 8').run();
    raw.close();
    expect((await stepgate(['audit', 'verify', '-c', config])).code).toBe(0);
    const cut = await stepgate(['audit', 'verify', '-c', config, '--checkpoint', cpFile]);
    expect(cut.code).toBe(2);
    expect(cut.out).toContain('truncated');
  });

  it('refuses a file that is not a checkpoint, and a missing audit log', async () => {
    const { dir, config } = await setup(1);
    writeFileSync(join(dir, 'junk.json'), '{"hello":1}');
    expect(
      (await stepgate(['audit', 'verify', '-c', config, '--checkpoint', join(dir, 'junk.json')])).err,
    ).toContain('not an audit checkpoint');
    const empty = freshDir();
    writeMasterKeyFile(join(empty, 'k'));
    writeFileSync(
      join(empty, 'c.json'),
      JSON.stringify({ dataDir: join(empty, 'd'), keyFile: join(empty, 'k') }),
    );
    expect((await stepgate(['audit', 'verify', '-c', join(empty, 'c.json')])).err).toContain('no audit log');
  });
});
