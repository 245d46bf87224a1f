import { createServer } from 'node:http';
import { type AddressInfo, createServer as createNetServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { type RunningService, startDecisionService } from '@stepgate/decision-service';
import { createStepgate } from '@stepgate/node-client';
import { createApp } from './app.js';
import { Bank } from './bank.js';
import { type SeedState, seedUsers } from './seed.js';
import { ServiceAdmin } from './service-admin.js';
import { serviceConfig } from './service-config.js';
import { Sessions } from './sessions.js';
import { bundleWeb } from './web-bundle.js';

/** Options of {@link startDemo}. */
export interface DemoOptions {
  /** Port of the bank app; `0` picks a free one. @defaultValue 3000 */
  port?: number;
  /** Where the service's SQLite store, keys and the bank's ledger live. Reused by a second run. */
  dataDir: string;
  /** Policy file. @defaultValue demo/policies.yaml */
  policies?: string;
}

/** A running demo. */
export interface RunningDemo {
  /** `http://localhost:PORT` — WebAuthn needs `localhost`, not an IP. */
  url: string;
  service: RunningService;
  seed: SeedState;
  /** Stops the bank app, then the decision service. */
  close(): Promise<void>;
}

/** The demo's policy file. */
export const DEMO_POLICIES = fileURLToPath(new URL('../../policies.yaml', import.meta.url));

/**
 * Starts Acme Bank: the decision service in this process (embedded SQLite store, dev mail
 * sender, the demo policies), the demo users, and the bank app on `localhost`.
 *
 * @example
 * const demo = await startDemo({ port: 0, dataDir: '.stepgate-demo' });
 * console.log(demo.url);
 * await demo.close();
 * @throws when the port is taken, or a ConfigError / PolicyError of the service.
 */
export async function startDemo(options: DemoOptions): Promise<RunningDemo> {
  // The service's configuration needs the app's URL (WebAuthn origins, CORS), so the port is
  // known first; the server listens only once its handler is attached, so no connection is ever
  // accepted before the app can answer it.
  const port = options.port === undefined || options.port === 0 ? await freePort() : options.port;
  const url = `http://localhost:${port}`;
  let service: RunningService | undefined;
  try {
    service = await startDecisionService({
      dataDir: options.dataDir,
      port: 0,
      policies: options.policies ?? DEMO_POLICIES,
      config: serviceConfig(url),
    });
    // A generous budget: the demo runs on busy laptops beside its own tests (production keeps 300 ms).
    const stepgate = createStepgate({ serviceUrl: service.url, apiKey: service.apiKey, timeoutMs: 5000 });
    const bank = new Bank(options.dataDir);
    const admin = new ServiceAdmin(service.url, service.adminKey);
    const seed = await seedUsers(stepgate, admin, service.url, options.dataDir, bank.customers());
    const app = createApp({
      stepgate,
      admin,
      bank,
      sessions: new Sessions(),
      seed,
      web: await bundleWeb(),
      publicOrigin: url,
    });
    const server = createServer(app);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    const running = service;
    return {
      url,
      service: running,
      seed,
      async close() {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await running.close();
      },
    };
  } catch (error) {
    await service?.close();
    throw error;
  }
}

/** A port that is free on 127.0.0.1 now (the OS picks it). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createNetServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
