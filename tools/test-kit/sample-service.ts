/**
 * The real decision service as the framework samples' tests use it: in this process, on a free
 * loopback port, its own temporary store, the dev email sender, and one policy — a transfer over
 * 1000 € needs a fresh email code bound to the transaction (docs/policies.md). One user,
 * `alice`, has an email address, so her step-ups are email codes read back from the dev outbox.
 */
import { type RunningService, startDecisionService } from '@stepgate/decision-service';

/** The sample policy: the same rule as docs/backend.md's samples, with an email code. */
export const SAMPLE_POLICIES = `
policies:
  - id: high-value-transfer
    when: { action: payments.transfer, transaction.amount: { gt: 1000 } }
    require: { level: aal1, maxAge: 0, bindTransaction: true }
default: allow
`;

/** The signed-in user of every sample app, and where her codes go. */
export const SAMPLE_USER = { id: 'alice', email: 'alice@example.com', displayName: 'Alice Martin' } as const;

/** A running sample service. */
export interface SampleService {
  service: RunningService;
  /** Codes "sent" to {@link SAMPLE_USER}, oldest first (the dev outbox, admin key). */
  codes(): Promise<string[]>;
  /** Waits until the outbox holds more than `seen` codes and returns the newest. */
  nextCode(seen: number): Promise<string>;
  close(): Promise<void>;
}

/**
 * Starts the decision service with {@link SAMPLE_POLICIES} and {@link SAMPLE_USER}.
 * @example
 * const svc = await startSampleService();
 * const code = await svc.nextCode(0);
 * await svc.close();
 */
export async function startSampleService(): Promise<SampleService> {
  const service = await startDecisionService({
    port: 0,
    policies: SAMPLE_POLICIES,
    config: { senders: { email: { type: 'dev' } } },
  });
  const res = await fetch(`${service.url}/v1/users/${SAMPLE_USER.id}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${service.adminKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ email: SAMPLE_USER.email, displayName: SAMPLE_USER.displayName }),
  });
  if (!res.ok) throw new Error(`PUT /v1/users/${SAMPLE_USER.id}: ${res.status} ${await res.text()}`);
  const codes = async () => {
    const outbox = await fetch(`${service.url}/v1/dev/outbox?userId=${SAMPLE_USER.id}`, {
      headers: { authorization: `Bearer ${service.adminKey}` },
    });
    const { messages } = (await outbox.json()) as { messages: Array<{ code?: string }> };
    return messages.flatMap((m) => (m.code ? [m.code] : []));
  };
  return {
    service,
    codes,
    async nextCode(seen) {
      for (let i = 0; i < 200; i++) {
        const all = await codes();
        if (all.length > seen) return all.at(-1)!;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error('no new code in the dev outbox after 10 s');
    },
    close: () => service.close(),
  };
}
