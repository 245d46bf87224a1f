import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { adapterContract } from './adapters/contract.js';
import { expressHarness } from './adapters/express-harness.js';
import { express4Harness } from './adapters/express4-harness.js';
import { fastifyHarness } from './adapters/fastify-harness.js';
import { honoHarness } from './adapters/hono-harness.js';
import { fieldsAnswer, SERVICE } from './support/fixtures.js';

// msw mocks only the decision service's host; requests to the apps on loopback pass through. The
// guards read the policies' field types first (kept across tests' handler resets).
const server = setupServer(
  http.get(`${SERVICE}/v1/policies/fields`, () => HttpResponse.json(fieldsAnswer())),
);
beforeAll(() => server.listen({ onUnhandledRequest: 'bypass' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

for (const harness of [expressHarness, express4Harness, fastifyHarness, honoHarness])
  adapterContract(harness, server);
