/**
 * The test runner's stall watchdog (tools/watched-run.mjs): a run that stops writing is stopped with
 * every process it started; a run that keeps writing, or that ends, is left alone.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs tool without types
import { runRetryingStall, runWatched, stallMsFromEnv } from '../watched-run.mjs';

interface Outcome {
  status: number | null;
  signal: NodeJS.Signals | null;
  stalled: boolean;
}

/** Runs a Node script under the watchdog, collecting what it writes. */
async function watch(script: string, stallMs: number) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => {
    out += c.toString();
  });
  stderr.on('data', (c: Buffer) => {
    err += c.toString();
  });
  const outcome: Outcome = await runWatched(process.execPath, ['-e', script], {
    stallMs,
    label: 'probe',
    stdout,
    stderr,
  });
  return { ...outcome, out, err };
}

/** Whether `pid` runs (a killed process whose parent is gone may stay a zombie until reaped). */
const running = (pid: number) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
};

describe('runWatched', () => {
  it('stops a silent run and the processes it started, after printing them', async () => {
    // The runner starts a worker that never exits (as a stuck test fork would), then says nothing.
    const script = `
      const { spawn } = require('node:child_process');
      const worker = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
      console.log('worker ' + worker.pid);
      setInterval(() => {}, 1000);
    `;
    const r = await watch(script, 600);
    expect(r.stalled).toBe(true);
    expect(r.signal).toBe('SIGKILL');
    expect(r.err).toContain('[probe] no output for 1 s: stopping it. Its processes:');
    const worker = Number(/worker (\d+)/.exec(r.out)?.[1]);
    expect(r.err).toContain(String(worker)); // the process tree lists the worker
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(running(worker)).toBe(false);
  });

  it('leaves a run alone that keeps writing, and passes its output and status on', async () => {
    const script = `
      let n = 0;
      const t = setInterval(() => {
        console.log('tick ' + ++n);
        if (n === 8) { clearInterval(t); console.error('done'); process.exitCode = 3; }
      }, 150);
    `;
    // 8 lines 150 ms apart: 1.2 s in all, longer than the 500 ms allowed for silence.
    const r = await watch(script, 500);
    expect(r).toMatchObject({ stalled: false, status: 3, signal: null });
    expect(r.out.trim().split('\n')).toHaveLength(8);
    expect(r.err).toBe('done\n');
  });

  it('reads the allowed silence from STEPGATE_TEST_STALL_SECONDS, 5 minutes otherwise', () => {
    expect(stallMsFromEnv({})).toBe(300_000);
    expect(stallMsFromEnv({ STEPGATE_TEST_STALL_SECONDS: '42' })).toBe(42_000);
    expect(stallMsFromEnv({ STEPGATE_TEST_STALL_SECONDS: 'soon' })).toBe(300_000);
    expect(stallMsFromEnv({ STEPGATE_TEST_STALL_SECONDS: '0' })).toBe(300_000);
  });
});

describe('runRetryingStall', () => {
  const quiet = () => new PassThrough().resume();

  it('runs a stalled run once more from the start, and reports the stall', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'watched-run-'));
    const marker = join(dir, 'first-attempt');
    const left = join(dir, 'left-behind');
    // The first attempt stalls; the second finds the marker and ends.
    const script = `
      const fs = require('node:fs');
      if (fs.existsSync(${JSON.stringify(marker)})) { console.log('second'); process.exit(0); }
      fs.writeFileSync(${JSON.stringify(marker)}, '');
      fs.writeFileSync(${JSON.stringify(left)}, '');
      setInterval(() => {}, 1000);
    `;
    const stderr = new PassThrough();
    let err = '';
    stderr.on('data', (c: Buffer) => {
      err += c.toString();
    });
    const cleared: boolean[] = [];
    const r = await runRetryingStall(process.execPath, ['-e', script], {
      stallMs: 500,
      label: 'probe',
      stdout: quiet(),
      stderr,
      beforeEach: () => {
        cleared.push(existsSync(left));
        rmSync(left, { force: true });
      },
    });
    expect(r).toMatchObject({ stalled: false, status: 0, stalls: 1 });
    expect(cleared).toEqual([false, true]); // what the stopped run left is removed before the next
    expect(err).toContain('[probe] the run stalled and was stopped: running it once more from the start.');
    rmSync(dir, { recursive: true, force: true });
  });

  it('gives up after a second stall', async () => {
    const r = await runRetryingStall(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], {
      stallMs: 400,
      label: 'probe',
      stdout: quiet(),
      stderr: quiet(),
    });
    expect(r).toMatchObject({ stalled: true, stalls: 2, signal: 'SIGKILL' });
  });
});
