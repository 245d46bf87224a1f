import { expect, it } from 'vitest';
import { start } from './helpers.js';

it('/readyz answers 503 service_unavailable when the store does not answer; /healthz still answers', async () => {
  const svc = await start();
  expect((await fetch(`${svc.url}/readyz`)).status).toBe(200);
  await svc.store.close();
  const ready = await fetch(`${svc.url}/readyz`);
  expect(ready.status).toBe(503);
  expect(await ready.json()).toEqual({
    error: { code: 'service_unavailable', message: 'the store does not answer' },
  });
  expect((await fetch(`${svc.url}/healthz`)).status).toBe(200);
  // A decision against a closed store is the service's failure, answered in the protocol's shape.
  const res = await fetch(`${svc.url}/v1/decisions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${svc.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ subject: { id: 'u' }, action: { name: 'x' } }),
  });
  expect(res.status).toBe(500);
  expect(((await res.json()) as { error: { code: string } }).error.code).toBe('internal_error');
  await svc.close();
});
