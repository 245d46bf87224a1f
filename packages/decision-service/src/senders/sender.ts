/**
 * Senders deliver the codes and notices the service writes (docs/design/flows.md "Methods and what they prove"): a signed
 * webhook to the app, SMTP, or the dev outbox. Each channel (email, SMS) has at most one.
 */
import type { Transaction } from '@stepgate/protocol';

/** A message for one contact point. */
export interface OutgoingMessage {
  /**
   * `code`: a one-time code; `factor_added` / `factor_removed`: the account's factors changed;
   * `contact_changed`: its email address or phone number (also factors) changed (S31).
   */
  kind: 'code' | 'factor_added' | 'factor_removed' | 'contact_changed';
  channel: 'email' | 'sms';
  /** The email address or E.164 phone number. */
  to: string;
  userId: string;
  subject: string;
  /** The complete text (it names amount and payee when a transaction is bound). */
  text: string;
  /** The code itself, for a `code` message (a webhook receiver may use its own template). */
  code?: string;
  challengeId?: string;
  /** The action id: for the receiver's own logic, never to be shown to the user. */
  action?: string;
  /** What the action is called for the user, by language (the policies' `actions`), for a receiver's own template. */
  actionLabel?: Record<string, string>;
  transaction?: Transaction;
}

/** Delivers messages. */
export interface Sender {
  /** Shown in audit details (`channel`). */
  readonly kind: 'webhook' | 'smtp' | 'dev';
  /**
   * Delivers one message; resolves once the receiver accepted it.
   * @throws StepgateError `service_unavailable` when it could not be delivered.
   */
  send(message: OutgoingMessage): Promise<void>;
  /** Releases connections. */
  close?(): void;
}

/** Settings of a webhook sender. */
export interface WebhookSenderConfig {
  type: 'webhook';
  /** The app's endpoint (https in production). */
  url: string;
  /** Shared secret for the `Stepgate-Signature` HMAC (at least 32 characters). */
  secret: string;
  /** Seconds to wait for the receiver. @defaultValue 5 */
  timeout?: number;
}

/** Settings of the SMTP sender (email only). */
export interface SmtpSenderConfig {
  type: 'smtp';
  host: string;
  /** @defaultValue 587 (465 when `secure`) */
  port?: number;
  /** TLS from the start (port 465); otherwise STARTTLS when offered. @defaultValue false */
  secure?: boolean;
  user?: string;
  password?: string;
  /** The `From:` address. */
  from: string;
}

/** The dev outbox (S32: only when configured, read with the admin key). */
export interface DevSenderConfig {
  type: 'dev';
}

/** One channel's sender settings. */
export type SenderConfig = WebhookSenderConfig | SmtpSenderConfig | DevSenderConfig;

/** The `senders` section of the configuration. @defaultValue {} (no codes can be sent) */
export interface SendersConfig {
  email?: SenderConfig;
  sms?: WebhookSenderConfig | DevSenderConfig;
}
