// A service process for the HTTP benchmark: prints `{ url, apiKey }` and runs until stdin closes.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { transactionDigest } from '@stepgate/protocol';
import { type RunningService, startDecisionService } from '../src/index.js';
import { startFloor } from './floor.js';
import { TOKEN_TRANSFERS } from './load.js';
import { BENCH_POLICY } from './policy.js';

if (process.argv[2] === 'bare') {
  // The baseline: a bare node:http server answering a fixed JSON.
  const body = JSON.stringify({ decision: 'allow', reasons: [], reportOnly: [] });
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  });
  server.listen(0, '127.0.0.1', () => {
    const address = server.address() as { port: number };
    process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${address.port}`, apiKey: '' })}\n`);
  });
  process.stdin.resume();
  process.stdin.on('end', () => server.close(() => process.exit(0)));
} else if (process.argv[2] === 'floor') {
  const floor = await startFloor(mkdtempSync(join(tmpdir(), 'stepgate-floor-')));
  process.stdout.write(`${JSON.stringify({ url: floor.url, apiKey: '' })}\n`);
  process.stdin.resume();
  process.stdin.on('end', () => {
    floor.close();
    process.exit(0);
  });
} else {
  const svc = await startDecisionService({ port: 0, policies: BENCH_POLICY, watchPolicies: false });
  for (let i = 0; i < 50; i++) {
    await fetch(`${svc.url}/v1/users/user${i}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${svc.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        email: `user${i}@example.com`,
        phone: `+336120000${String(i).padStart(2, '0')}`,
      }),
    });
  }
  process.stdout.write(`${JSON.stringify({ url: svc.url, apiKey: svc.apiKey })}\n`);
  answerCommands(svc);
  process.stdin.resume();
  process.stdin.on('end', () => void svc.close().then(() => process.exit(0)));
}

/**
 * Commands on stdin, one per line, each answered by one line on stdout:
 * - `mint N` (bench.ts): N single-use step-up tokens, the `k`-th for `TOKEN_TRANSFERS[k % 50]`
 *   (its user, session, action and transaction digest), written one per line to a file whose path
 *   is the answer; minted here because only the service holds its signing key;
 * - `start` / `stop` (bench/profile.ts): V8's CPU profiler on this (the main) thread; `stop`
 *   answers with the profile as one JSON line, so that neither start-up nor the warm-up is in it.
 */
function answerCommands(svc: RunningService): void {
  const session = new Session();
  let pending = '';
  let digests: Promise<string[]> | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'stepgate-bench-tokens-'));
  let files = 0;
  // One command at a time, in order.
  let queue = Promise.resolve();
  process.stdin.on('data', (chunk: Buffer) => {
    pending += chunk.toString();
    let newline = pending.indexOf('\n');
    while (newline >= 0) {
      const command = pending.slice(0, newline);
      pending = pending.slice(newline + 1);
      queue = queue.then(() => run(command));
      newline = pending.indexOf('\n');
    }
  });
  async function mint(n: number): Promise<string> {
    digests ??= Promise.all(
      TOKEN_TRANSFERS.map((t) => transactionDigest({ action: t.action.name, transaction: t.transaction })),
    );
    const byTransfer = await digests;
    const authTime = Math.floor(Date.now() / 1000);
    const tokens = Array.from({ length: n }, (_, k) => {
      const i = k % TOKEN_TRANSFERS.length;
      const { subject, action } = TOKEN_TRANSFERS[i]!;
      return svc.tokens.mintStepUpToken({
        sub: subject.id,
        aud: svc.config.audiences[0]!,
        acr: 'urn:stepgate:aal2',
        amr: ['otp'],
        method: 'totp',
        authTime,
        sid: subject.sessionId,
        action: action.name,
        digest: byTransfer[i]!,
      }).token;
    });
    files += 1;
    const file = join(dir, `tokens-${files}.txt`);
    writeFileSync(file, tokens.join('\n'));
    return file;
  }
  async function run(command: string) {
    const [verb, arg] = command.split(' ');
    if (verb === 'mint') {
      process.stdout.write(`${await mint(Number(arg))}\n`);
    } else if (verb === 'start') {
      session.connect();
      await session.post('Profiler.enable');
      await session.post('Profiler.setSamplingInterval', { interval: 100 });
      await session.post('Profiler.start');
      process.stdout.write('started\n');
    } else if (verb === 'stop') {
      const { profile } = await session.post('Profiler.stop');
      process.stdout.write(`${JSON.stringify(profile)}\n`);
    }
  }
}
