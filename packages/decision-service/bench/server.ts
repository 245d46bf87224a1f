// A service process for the HTTP benchmark: prints `{ url, apiKey }` and runs until stdin closes.
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDecisionService } from '../src/index.js';
import { startFloor } from './floor.js';
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
  if (process.argv[3] === 'profile') answerProfileCommands();
  process.stdin.resume();
  process.stdin.on('end', () => void svc.close().then(() => process.exit(0)));
}

/**
 * For bench/profile.ts: `start` on stdin starts V8's CPU profiler on this (the main) thread, `stop`
 * stops it and writes the profile as one JSON line on stdout, so that neither start-up nor the
 * warm-up is in it.
 */
function answerProfileCommands(): void {
  const session = new Session();
  session.connect();
  let pending = '';
  process.stdin.on('data', (chunk: Buffer) => {
    pending += chunk.toString();
    let newline = pending.indexOf('\n');
    while (newline >= 0) {
      const command = pending.slice(0, newline);
      pending = pending.slice(newline + 1);
      void run(command);
      newline = pending.indexOf('\n');
    }
  });
  async function run(command: string) {
    if (command === 'start') {
      await session.post('Profiler.enable');
      await session.post('Profiler.setSamplingInterval', { interval: 100 });
      await session.post('Profiler.start');
      process.stdout.write('started\n');
    } else if (command === 'stop') {
      const { profile } = await session.post('Profiler.stop');
      process.stdout.write(`${JSON.stringify(profile)}\n`);
    }
  }
}
