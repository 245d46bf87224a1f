import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { StepgateError } from '@stepgate/protocol';
import type { OutgoingMessage, Sender, WebhookSenderConfig } from './sender.js';

/** Header with the Unix time (seconds) the webhook was signed at. */
export const WEBHOOK_TIMESTAMP_HEADER = 'stepgate-timestamp';
/** Header with `v1=<hex HMAC-SHA-256(secret, timestamp + "." + body)>`. */
export const WEBHOOK_SIGNATURE_HEADER = 'stepgate-signature';

/** Standard Webhooks (standardwebhooks.com) headers: the message id, Unix seconds, signatures. */
export const STANDARD_WEBHOOK_HEADERS = {
  id: 'webhook-id',
  timestamp: 'webhook-timestamp',
  signature: 'webhook-signature',
} as const;

/**
 * The Standard Webhooks signing key: a `whsec_…` secret is base64 after the prefix (as the spec's
 * libraries read it); any other secret is used as its UTF-8 bytes (`new Webhook(secret, { format:
 * 'raw' })` in the reference library).
 */
function standardKey(secret: string): Buffer {
  return secret.startsWith('whsec_') ? Buffer.from(secret.slice(6), 'base64') : Buffer.from(secret, 'utf8');
}

/** The Standard Webhooks signature: `v1,<base64 HMAC-SHA-256(key, id + "." + timestamp + "." + body)>`. */
export function signStandardWebhook(secret: string, id: string, timestamp: number, body: string): string {
  return `v1,${createHmac('sha256', standardKey(secret)).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

/**
 * The legacy `v1=` signature of a webhook body (`Stepgate-Signature`), still sent beside the
 * Standard Webhooks headers for one release so existing receivers keep working.
 * @deprecated verify `webhook-signature` (Standard Webhooks) instead.
 */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * Checks a received webhook (for the app's receiver, and the tests): the signature over
 * timestamp and raw body, in constant time, and a timestamp within `toleranceSeconds`.
 *
 * @example
 * verifyWebhook({ secret, body: rawBody, timestamp: req.headers['stepgate-timestamp'],
 *   signature: req.headers['stepgate-signature'] }); // true or false
 */
export function verifyWebhook(p: {
  secret: string;
  body: string;
  timestamp: string | undefined;
  signature: string | undefined;
  /** @defaultValue 300 */
  toleranceSeconds?: number;
  /** Unix seconds. @defaultValue now */
  now?: number;
}): boolean {
  const ts = Number(p.timestamp);
  if (!Number.isSafeInteger(ts) || typeof p.signature !== 'string') return false;
  const now = p.now ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - ts) > (p.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(signWebhook(p.secret, ts, p.body));
  const given = Buffer.from(p.signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/**
 * Posts each message to the app as signed JSON; the app sends it through its own email or SMS
 * provider. Body: `{ id, type: "stepgate.message", createdAt, message }`; signed per Standard
 * Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature`), so off-the-shelf verifiers
 * work, and — for one more release — with the legacy `Stepgate-Timestamp` and
 * `Stepgate-Signature: v1=<hex HMAC-SHA-256(secret, timestamp + "." + body)>`.
 * A 2xx answer means accepted.
 *
 * @example
 * const sender = new WebhookSender({ type: 'webhook', url: 'https://app.example/stepgate/messages', secret });
 * await sender.send({ kind: 'code', channel: 'sms', to: '+33612345678', userId: 'u1', subject, text, code });
 */
export class WebhookSender implements Sender {
  readonly kind = 'webhook' as const;
  readonly #config: WebhookSenderConfig;
  readonly #now: () => number;

  constructor(config: WebhookSenderConfig, now: () => number = Date.now) {
    this.#config = config;
    this.#now = now;
  }

  async send(message: OutgoingMessage): Promise<void> {
    const timestamp = Math.floor(this.#now() / 1000);
    const id = `msg_${randomBytes(12).toString('base64url')}`;
    const body = JSON.stringify({
      id,
      type: 'stepgate.message',
      createdAt: new Date(timestamp * 1000).toISOString(),
      message,
    });
    let status: number;
    try {
      const res = await fetch(this.#config.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [STANDARD_WEBHOOK_HEADERS.id]: id,
          [STANDARD_WEBHOOK_HEADERS.timestamp]: String(timestamp),
          [STANDARD_WEBHOOK_HEADERS.signature]: signStandardWebhook(this.#config.secret, id, timestamp, body),
          [WEBHOOK_TIMESTAMP_HEADER]: String(timestamp),
          [WEBHOOK_SIGNATURE_HEADER]: signWebhook(this.#config.secret, timestamp, body),
        },
        body,
        redirect: 'error',
        signal: AbortSignal.timeout((this.#config.timeout ?? 5) * 1000),
      });
      status = res.status;
      await res.body?.cancel();
    } catch (cause) {
      throw new StepgateError('service_unavailable', 'the message webhook could not be reached', { cause });
    }
    if (status < 200 || status >= 300) {
      throw new StepgateError('service_unavailable', `the message webhook answered ${status}`);
    }
  }
}
