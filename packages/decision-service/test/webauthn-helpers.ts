import { Writable } from 'node:stream';
import pino from 'pino';
import type { StartOptions } from '../src/index.js';
import { client, freshDir, start, testClock } from './helpers.js';

/** Policies of the WebAuthn tests: aal2 and aal3 transfers, both bound and single use. */
export const WEBAUTHN_POLICY = `
policies:
  - id: transfer-aal2
    when: { action: payments.transfer }
    require: { level: aal2, maxAge: 0, bindTransaction: true }
  - id: wire-aal3
    when: { action: payments.wire }
    require: { level: aal3, maxAge: 0, bindTransaction: true }
default: allow
`;

/** A browser's calls to the service: no API key. */
export function browserCall(svc: { url: string }) {
  return async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${svc.url}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    // biome-ignore lint/suspicious/noExplicitAny: answers are JSON checked by each assertion
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as any };
  };
}

/** Starts the service for a page origin (rpId `localhost`), with dev senders and captured log lines. */
export async function startWebAuthnService(origin: string, options: StartOptions = {}) {
  const clock = testClock();
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const dataDir = freshDir();
  const svc = await start({
    clock,
    dataDir,
    policies: WEBAUTHN_POLICY,
    logger: pino({ level: 'info' }, sink),
    ...options,
    config: {
      origins: [origin],
      webauthn: { rpId: 'localhost' },
      senders: { email: { type: 'dev' }, sms: { type: 'dev' } },
      ...(typeof options.config === 'object' ? options.config : {}),
    },
  });
  return {
    svc,
    clock,
    dataDir,
    lines,
    call: client(svc),
    admin: client({ url: svc.url, apiKey: svc.adminKey }),
    browser: browserCall(svc),
  };
}

export type WebAuthnCtx = Awaited<ReturnType<typeof startWebAuthnService>>;

/** The subject of a user's aal1 session. */
export const session = (userId: string) => ({ id: userId, sessionId: `s-${userId}`, acr: 'aal1' });

/** Something that answers `navigator.credentials` calls: the browser, or a software authenticator. */
export interface Authenticator {
  create(publicKey: Record<string, unknown>): Promise<Record<string, unknown>> | Record<string, unknown>;
  get(publicKey: Record<string, unknown>): Promise<Record<string, unknown>> | Record<string, unknown>;
}

/** Registers a WebAuthn credential for a user through a ticket; answers the verify answer. */
export async function registerCredential(
  ctx: WebAuthnCtx,
  b: Authenticator,
  userId: string,
  method: 'webauthn' | 'biometric' = 'webauthn',
  /** Changes the options before the browser sees them (to make a response the service must refuse). */
  editOptions: (publicKey: Record<string, unknown>) => Record<string, unknown> = (o) => o,
) {
  const ticket = await ctx.call('POST', '/v1/enrollments', {
    userId,
    subject: session(userId),
    method,
  });
  if (!ticket.body.ticket) throw new Error(`no ticket: ${JSON.stringify(ticket.body)}`);
  const options = await ctx.browser('POST', `/v1/enrollments/${ticket.body.ticket}/webauthn/options`, {
    method,
  });
  if (options.status !== 200) throw new Error(`options: ${JSON.stringify(options.body)}`);
  const response = await b.create(editOptions(options.body.publicKey));
  return ctx.browser('POST', `/v1/enrollments/${ticket.body.ticket}/webauthn/verify`, {
    response,
    label: 'key',
  });
}

/** Asks for a decision on a transfer; answers the response body. */
export async function decide(
  ctx: WebAuthnCtx,
  userId: string,
  action: string,
  transaction: Record<string, unknown>,
  stepUpToken?: string,
) {
  const res = await ctx.call('POST', '/v1/decisions', {
    subject: session(userId),
    action: { name: action },
    transaction,
    ...(stepUpToken === undefined ? {} : { stepUpToken }),
  });
  return res.body;
}

/** `start` a challenge with a method, then the browser's assertion for it. */
export async function assert(ctx: WebAuthnCtx, b: Authenticator, challengeId: string, method = 'webauthn') {
  const started = await ctx.browser('POST', `/v1/challenges/${challengeId}/start`, { method });
  if (started.status !== 200) throw new Error(`start: ${JSON.stringify(started.body)}`);
  return { publicKey: started.body.publicKey, response: await b.get(started.body.publicKey) };
}
