// Runs a test runner with a watchdog for stalls: a run that writes nothing for `stallMs` is stopped
// (with every process it started) after its process tree is printed, instead of holding CI until its
// time limit. Used by tools/run-tests.mjs.
import { execFileSync, spawn } from 'node:child_process';

/** How long a test runner may stay silent before it counts as stalled: 5 minutes, or the variable's seconds. */
export function stallMsFromEnv(env = process.env) {
  const seconds = Number(env.STEPGATE_TEST_STALL_SECONDS);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 300_000;
}

/** The processes of session `sid` (a detached child leads its own), as `ps` shows them. */
function processTree(sid) {
  try {
    return execFileSync('ps', ['-o', 'pid,ppid,stat,etime,time,wchan:24,args', '-s', String(sid)], {
      encoding: 'utf8',
    });
  } catch (error) {
    return `(ps failed: ${error instanceof Error ? error.message : String(error)})\n`;
  }
}

/**
 * Runs `command` with its output passed through, and stops it with everything it started when it
 * writes nothing for `stallMs`.
 * @param {string} command
 * @param {string[]} args
 * @param {{ cwd?: string, env?: NodeJS.ProcessEnv, stallMs: number, label: string,
 *   stdout?: NodeJS.WritableStream, stderr?: NodeJS.WritableStream }} options
 * @returns {Promise<{ status: number | null, signal: NodeJS.Signals | null, stalled: boolean }>}
 */
export function runWatched(command, args, options) {
  const out = options.stdout ?? process.stdout;
  const err = options.stderr ?? process.stderr;
  return new Promise((resolve) => {
    // Its own session and process group, so that a stall stops the runner's workers too.
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let last = Date.now();
    let stalled = false;
    const stop = () => {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    // Ctrl-C reaches the terminal's process group only: pass it on to the runner's, then end as a
    // process killed by that signal would (exit status 128 + its number).
    const interrupted = (signal) => {
      stop();
      process.exit(signal === 'SIGTERM' ? 143 : 130);
    };
    process.once('SIGINT', interrupted);
    process.once('SIGTERM', interrupted);
    child.stdout.on('data', (chunk) => {
      last = Date.now();
      out.write(chunk);
    });
    child.stderr.on('data', (chunk) => {
      last = Date.now();
      err.write(chunk);
    });
    const watch = setInterval(
      () => {
        if (stalled || Date.now() - last < options.stallMs) return;
        stalled = true;
        err.write(
          `\n[${options.label}] no output for ${Math.round(options.stallMs / 1000)} s: stopping it. Its processes:\n${processTree(child.pid)}`,
        );
        stop();
      },
      Math.min(15_000, Math.max(50, options.stallMs / 4)),
    );
    let finished = false;
    const done = (status, signal) => {
      if (finished) return;
      finished = true;
      clearInterval(watch);
      clearTimeout(leftovers);
      process.off('SIGINT', interrupted);
      process.off('SIGTERM', interrupted);
      resolve({ status, signal, stalled });
    };
    // The runner has exited: its output ends when the pipes close, unless a process it left behind
    // holds them; that one is stopped after a few seconds (the runner's own result stands).
    let leftovers;
    child.on('exit', (status, signal) => {
      leftovers = setTimeout(() => {
        stop();
        done(status, signal);
      }, 5_000);
    });
    child.on('close', done);
    child.on('error', (error) => {
      err.write(`[${options.label}] could not start ${command}: ${error.message}\n`);
      done(null, null);
    });
  });
}

/**
 * {@link runWatched}, and once more from the start when the run stalls; a second stall is the
 * outcome. `beforeEach` runs before each attempt (to remove what a stopped run left behind).
 * @param {string} command
 * @param {string[]} args
 * @param {Parameters<typeof runWatched>[2] & { beforeEach?: () => void }} options
 * @returns {Promise<{ status: number | null, signal: NodeJS.Signals | null, stalled: boolean, stalls: number }>}
 */
export async function runRetryingStall(command, args, options) {
  const err = options.stderr ?? process.stderr;
  for (let attempt = 1; ; attempt += 1) {
    options.beforeEach?.();
    const res = await runWatched(command, args, options);
    if (!res.stalled) return { ...res, stalls: attempt - 1 };
    if (attempt === 2) return { ...res, stalls: attempt };
    err.write(`[${options.label}] the run stalled and was stopped: running it once more from the start.\n`);
  }
}
