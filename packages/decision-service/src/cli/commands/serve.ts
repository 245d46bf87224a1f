import type { RunningService } from '../../start.js';
import { startDecisionService } from '../../start.js';
import type { CliIo } from '../io.js';
import { configFile } from '../open-store.js';

/**
 * `stepgate serve`: starts the HTTP service on the embedded SQLite store, reloads policies on
 * change and on SIGHUP, and stops cleanly on SIGINT / SIGTERM.
 */
export async function runServe(
  options: { config?: string; port?: number; host?: string },
  io: CliIo,
): Promise<RunningService> {
  const file = configFile(options.config);
  const svc = await startDecisionService({
    ...(file === undefined ? {} : { config: file }),
    ...(options.port === undefined ? {} : { port: options.port }),
    ...(options.host === undefined ? {} : { host: options.host }),
    env: process.env,
    handleSignals: true,
    createApiKeys: false,
  });
  io.out(`stepgate listening on ${svc.url} (policies ${svc.policyVersion()})`);
  const stop = () => {
    void svc.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return svc;
}
