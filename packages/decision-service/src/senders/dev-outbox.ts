import type { OutgoingMessage, Sender } from './sender.js';

/** A message kept by the dev outbox. */
export interface OutboxEntry extends OutgoingMessage {
  /** ISO time it was "sent". */
  sentAt: string;
}

/** Messages kept, newest last. */
export const OUTBOX_CAPACITY = 200;

/**
 * The dev sender: keeps messages in memory for `GET /v1/dev/outbox` (tests, the demo,
 * `stepgate init --dev`). It exists only when the configuration names it (S32), and the route
 * needs the admin key.
 *
 * @example
 * const outbox = new DevOutbox();
 * await outbox.send(message);
 * outbox.list({ to: 'alice@example.com' }).at(-1)?.code;
 */
export class DevOutbox implements Sender {
  readonly kind = 'dev' as const;
  readonly #entries: OutboxEntry[] = [];
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  async send(message: OutgoingMessage): Promise<void> {
    this.#entries.push({ ...message, sentAt: new Date(this.#now()).toISOString() });
    if (this.#entries.length > OUTBOX_CAPACITY) this.#entries.shift();
  }

  /** Kept messages, oldest first, optionally for one destination or user. */
  list(filter: { to?: string; userId?: string } = {}): OutboxEntry[] {
    return this.#entries.filter(
      (e) =>
        (filter.to === undefined || e.to === filter.to) &&
        (filter.userId === undefined || e.userId === filter.userId),
    );
  }
}
