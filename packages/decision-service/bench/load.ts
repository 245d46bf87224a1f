// The bench's load (50 decision requests of four actions, sent by autocannon) and the server
// CPU it costs.
import { readFileSync } from 'node:fs';
import { newIdempotencyKey } from '@stepgate/protocol';
import autocannon from 'autocannon';

/** 50 `POST /v1/decisions` bodies: 50 users, four actions, a transfer every fourth request. */
export function decisionBodies(): string[] {
  return Array.from({ length: 50 }, (_, i) =>
    JSON.stringify({
      subject: {
        id: `user${i}`,
        sessionId: `s${i}`,
        authTime: Math.floor(Date.now() / 1000) - 600,
        acr: 'aal1',
      },
      action: { name: ['payments.list', 'payments.transfer', 'profile.view', 'payments.payee.add'][i % 4] },
      transaction:
        i % 4 === 1 ? { amount: (i * 397) % 20_000, currency: 'EUR', payee: `FR76${i}` } : undefined,
      context: {
        ip: `198.51.100.${i}`,
        device: { v: 1, deviceId: `dev${i % 7}`, fingerprint: `fp${i}`, signals: { tz: 'Europe/Paris' } },
      },
    }),
  );
}

/**
 * `seconds` of `connections` concurrent requests cycling through `bodies`; throws on any failure.
 * `keyed`: each request carries its own `Idempotency-Key` (a UUIDv7), as a node-client guard sends it (S17).
 */
export async function runLoad(
  url: string,
  apiKey: string,
  connections: number,
  seconds: number,
  bodies: readonly string[],
  keyed = false,
) {
  const withKey = (request: { headers?: Record<string, string> }) => ({
    ...request,
    headers: { ...request.headers, 'idempotency-key': newIdempotencyKey() },
  });
  const result = await autocannon({
    url: `${url}/v1/decisions`,
    connections,
    duration: seconds,
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    requests: bodies.map((body) => ({ method: 'POST', body, ...(keyed ? { setupRequest: withKey } : {}) })),
  });
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`${result.non2xx} non-2xx, ${result.errors} errors`);
  return result;
}

/** CPU time of a process and all its threads, ms (Linux `/proc`; `taskset` execs, so the pid is the server's). */
export function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * (1000 / 100);
}
