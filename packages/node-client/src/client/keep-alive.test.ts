import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allowAnswer } from '../../test/support/fixtures.js';
import { createStepgate } from './create-stepgate.js';

describe('connections', () => {
  let connections = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(allowAnswer()));
    });
  });
  server.on('connection', () => {
    connections += 1;
  });
  let url = '';
  beforeAll(async () => {
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('reuses kept-alive connections across sequential decisions (an undici Pool per origin)', async () => {
    const stepgate = createStepgate({ serviceUrl: url, apiKey: 'sk_test_0123456789', timeoutMs: 5_000 });
    for (let i = 0; i < 20; i += 1) {
      expect((await stepgate.decide({ subject: { id: 'u' }, action: { name: 'a.b' } })).decision).toBe(
        'allow',
      );
    }
    // A second socket may open while the first is being released; never one per call.
    expect(connections).toBeLessThanOrEqual(2);
  });
});
