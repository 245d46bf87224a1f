import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningService, type StartOptions, startDecisionService } from '../src/index.js';

/** The policy set most tests use. */
export const TEST_POLICY = `
policies:
  - id: high-value-transfer
    when: { action: payments.transfer, transaction.amount: { gt: 1000 } }
    require: { level: aal2, maxAge: 0, bindTransaction: true }
  - id: admin-area
    when: { action: "admin.**" }
    require: { level: aal2, maxAge: 15m }
  - id: fresh-profile
    when: { action: profile.email.change }
    require: { level: aal1, maxAge: 5m }
  - id: account-delete
    when: { action: account.delete }
    effect: deny
default: allow
`;

export const freshDir = (): string => mkdtempSync(join(tmpdir(), 'stepgate-test-'));

/** A settable clock (Unix ms). */
export function testClock(start = Date.UTC(2030, 0, 1)) {
  let t = start;
  const clock = () => t;
  clock.advance = (ms: number) => {
    t += ms;
  };
  clock.set = (ms: number) => {
    t = ms;
  };
  return clock;
}

/** Starts the real service on a free loopback port with the test policy. */
export function start(options: StartOptions = {}): Promise<RunningService> {
  return startDecisionService({ port: 0, policies: TEST_POLICY, ...options });
}

/** A small JSON client for one service. */
export function client(svc: { url: string; apiKey: string }) {
  return async function call(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
    // biome-ignore lint/suspicious/noExplicitAny: answers are JSON checked by each assertion
  ): Promise<{ status: number; body: any; headers: Headers }> {
    const init: RequestInit = {
      method,
      headers: {
        authorization: `Bearer ${svc.apiKey}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
    };
    if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body);
    const res = await fetch(`${svc.url}${path}`, init);
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
  };
}
