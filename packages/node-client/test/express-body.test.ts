import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stepgateExpress } from '../src/express/index.js';
import { createStepgate } from '../src/index.js';
import { EXPRESS_VERSIONS } from './support/express-versions.js';
import { API_KEY, SERVICE, viaMsw } from './support/fixtures.js';

// The proxy mounted after an app-wide express.json(): the body was already read by the parser.
const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'bypass' }));
afterAll(() => server.close());

for (const { name, express, version } of EXPRESS_VERSIONS) {
  describe(`${name} (${version}) proxy behind a body parser`, () => {
    it('forwards the parsed JSON body and still enforces the body limit', async () => {
      const bodies: string[] = [];
      server.use(
        http.post(`${SERVICE}/v1/challenges/chl_1/verify`, async ({ request }) => {
          bodies.push(await request.text());
          return HttpResponse.json({ ok: true });
        }),
      );
      const sg = stepgateExpress(
        createStepgate({ serviceUrl: SERVICE, apiKey: API_KEY, timeoutMs: 5_000, ...viaMsw }),
        {
          getSubject: () => null,
          proxy: { bodyLimitBytes: 64 },
        },
      );
      const app = express();
      app.use(express.json());
      app.use(sg.proxy());
      const listener = app.listen(0, '127.0.0.1');
      await once(listener, 'listening');
      const url = `http://127.0.0.1:${(listener.address() as AddressInfo).port}/stepgate/v1/challenges/chl_1/verify`;
      try {
        const send = (body: unknown) =>
          fetch(url, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(body),
          });
        expect((await send({ method: 'email_otp', code: '123456' })).status).toBe(200);
        expect(JSON.parse(bodies[0] ?? 'null')).toEqual({ method: 'email_otp', code: '123456' });
        expect((await send({ method: 'email_otp', code: 'x'.repeat(100) })).status).toBe(413);
        expect(bodies).toHaveLength(1);
      } finally {
        await new Promise<void>((resolve) => listener.close(() => resolve()));
      }
    });
  });
}
