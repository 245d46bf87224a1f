import { DevOutbox } from './dev-outbox.js';
import type { Sender, SendersConfig } from './sender.js';
import { SmtpSender } from './smtp-sender.js';
import { WebhookSender } from './webhook-sender.js';

/** The configured senders, by channel, and the dev outbox when one is configured. */
export interface Senders {
  email?: Sender;
  sms?: Sender;
  /** Present only when a channel uses the dev sender (S32). */
  outbox?: DevOutbox;
  close(): void;
}

/**
 * Builds the senders of the `senders` configuration. Both channels share one dev outbox.
 *
 * @example
 * const senders = createSenders({ email: { type: 'dev' } });
 * senders.outbox?.list();
 */
export function createSenders(config: SendersConfig = {}, now: () => number = Date.now): Senders {
  const out: Senders = { close: () => {} };
  const build = (c: NonNullable<SendersConfig['email']>): Sender => {
    if (c.type === 'webhook') return new WebhookSender(c, now);
    if (c.type === 'smtp') return new SmtpSender(c);
    out.outbox ??= new DevOutbox(now);
    return out.outbox;
  };
  if (config.email) out.email = build(config.email);
  if (config.sms) out.sms = build(config.sms);
  out.close = () => {
    out.email?.close?.();
    out.sms?.close?.();
  };
  return out;
}
