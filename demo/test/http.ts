/** A signed-in HTTP client of the bank's API (no browser): for replay and tampering tests. */
export async function apiClient(base: string, userId: string) {
  const login = await fetch(`${base}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ userId }),
  });
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  return async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { cookie, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    // biome-ignore lint/suspicious/noExplicitAny: each test checks the shape it reads
    return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : undefined) as any };
  };
}

/** Answers a step-up over HTTP through the bank's challenge proxy with the code from the mailbox. */
export async function passEmailChallenge(
  api: Awaited<ReturnType<typeof apiClient>>,
  challengeId: string,
): Promise<string> {
  const base = `/stepgate/v1/challenges/${challengeId}`;
  const started = await api('POST', `${base}/start`, { method: 'email_otp' });
  if (started.status !== 200) throw new Error(`start: ${started.status} ${JSON.stringify(started.body)}`);
  const { body } = await api('GET', '/api/demo/mailbox');
  const code = body.messages
    .filter((m: { challengeId?: string }) => m.challengeId === challengeId)
    .at(-1)?.code;
  const verified = await api('POST', `${base}/verify`, { method: 'email_otp', code });
  if (verified.status !== 200) throw new Error(`verify: ${verified.status} ${JSON.stringify(verified.body)}`);
  return verified.body.token as string;
}
