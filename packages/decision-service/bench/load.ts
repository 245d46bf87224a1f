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
 * Transfers that the bench policy's `fresh-check-for-transfers` steps up (over 500 EUR, at most
 * 10,000: `aal1`, `maxAge: 0`, bound to the transaction, so a token for one is single-use), one per
 * bench user; the `k`-th token request is transfer `k % 50` with a token minted for exactly it.
 */
export const TOKEN_TRANSFERS = Array.from({ length: 50 }, (_, i) => ({
  subject: { id: `user${i}`, sessionId: `s${i}`, acr: 'aal1' },
  action: { name: 'payments.transfer' },
  transaction: { amount: 600 + i * 97, currency: 'EUR', payee: `FR76${i}` },
}));

/** The body of the `k`-th token request. */
function tokenBody(k: number, token: string): string {
  const transfer = TOKEN_TRANSFERS[k % TOKEN_TRANSFERS.length]!;
  return JSON.stringify({ ...transfer, context: { ip: `198.51.100.${k % 50}` }, stepUpToken: token });
}

/**
 * Single-use tokens for one run, in the order {@link tokenBody} numbers them. Each is handed out
 * once; `exhausted` says whether the run asked for more than there were (its figures would then
 * include refused replays, so the bench throws).
 */
export class TokenFeed {
  readonly #bodies: string[];
  #next = 0;
  constructor(tokens: readonly string[]) {
    this.#bodies = tokens.map((token, k) => tokenBody(k, token));
  }
  next(): string {
    const body = this.#bodies[this.#next];
    this.#next += 1;
    return body ?? this.#bodies[0]!;
  }
  get exhausted(): boolean {
    return this.#next > this.#bodies.length;
  }
}

/** What each request carries besides its body. */
export interface LoadOptions {
  /** Each request carries its own `Idempotency-Key` (a UUIDv7), as a node-client guard sends it (S17). */
  keyed?: boolean;
  /** Each request redeems the next single-use step-up token instead of cycling through the bodies. */
  tokens?: TokenFeed;
}

/** `seconds` of `connections` concurrent requests cycling through `bodies`; throws on any failure. */
export async function runLoad(
  url: string,
  apiKey: string,
  connections: number,
  seconds: number,
  bodies: readonly string[],
  options: LoadOptions = {},
) {
  const { keyed = false, tokens } = options;
  const setupRequest =
    keyed || tokens
      ? (request: { body?: string; headers?: Record<string, string> }) => ({
          ...request,
          ...(tokens ? { body: tokens.next() } : {}),
          ...(keyed ? { headers: { ...request.headers, 'idempotency-key': newIdempotencyKey() } } : {}),
        })
      : undefined;
  const result = await autocannon({
    url: `${url}/v1/decisions`,
    connections,
    duration: seconds,
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    requests: (tokens ? bodies.slice(0, 1) : bodies).map((body) => ({
      method: 'POST',
      body,
      ...(setupRequest ? { setupRequest } : {}),
    })),
  });
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`${result.non2xx} non-2xx, ${result.errors} errors`);
  if (tokens?.exhausted) throw new Error('the run used more step-up tokens than were minted for it');
  return result;
}

/** CPU time of a process and all its threads, ms (Linux `/proc`; `taskset` execs, so the pid is the server's). */
export function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * (1000 / 100);
}
