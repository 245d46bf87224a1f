/**
 * The demo server's admin calls to the decision service (admin key, server side only): the dev
 * outbox that stands in for the customers' mailboxes, and the audit log.
 */
export class ServiceAdmin {
  constructor(
    readonly url: string,
    readonly adminKey: string,
  ) {}

  async #get(path: string): Promise<{ status: number; body: unknown }> {
    const res = await fetch(`${this.url}${path}`, { headers: { authorization: `Bearer ${this.adminKey}` } });
    return { status: res.status, body: await res.json().catch(() => ({})) };
  }

  /** Messages the dev sender "sent" to a user; `[]` when the service has no dev outbox. */
  async outbox(userId: string): Promise<unknown[]> {
    const { status, body } = await this.#get(`/v1/dev/outbox?userId=${encodeURIComponent(userId)}`);
    return status === 200 ? ((body as { messages?: unknown[] }).messages ?? []) : [];
  }

  /** The newest audit records (`GET /v1/audit`); `available: false` before the audit log exists. */
  async audit(limit: number): Promise<{ available: boolean; records: unknown[] }> {
    const { status, body } = await this.#get(`/v1/audit?limit=${limit}`);
    return status === 200
      ? { available: true, records: (body as { records?: unknown[] }).records ?? [] }
      : { available: false, records: [] };
  }
}
