/**
 * The demo server's admin calls to the decision service (admin key, server side only): the dev
 * outbox that stands in for the customers' mailboxes, the audit log, and provisioning a user's
 * contact points as the bank's operator.
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

  /**
   * Sets a user's contact points as the operator (`PUT /v1/users/{id}` with the admin key): no
   * step-up, even for a user who has a factor — the service audits it as `admin_key` and tells
   * the old and the new address (S31). An app's own calls go through its API key and a step-up.
   */
  async putUser(id: string, body: { displayName?: string; email?: string | null }): Promise<void> {
    const res = await fetch(`${this.url}/v1/users/${encodeURIComponent(id)}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${this.adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`PUT /v1/users/${id}: ${res.status}`);
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
