import type { RunningService } from '../../start.js';
import { startDecisionService } from '../../start.js';
import type { CliIo } from '../io.js';
import { configFile } from '../open-store.js';

/**
 * `stepgate serve`: starts the HTTP service on the configured store (SQLite by default), reloads policies on
 * change and on SIGHUP, and stops cleanly on SIGINT / SIGTERM. It creates no API key (keys come
 * from `stepgate apikey create`). `dev` adds development checks: a warning in the log when the
 * issuer is not the URL it listens on.
 */
export async function runServe(
  options: { config?: string; port?: number; host?: string; dev?: boolean; migrate?: boolean },
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
    ...(options.dev ? { dev: true } : {}),
    ...(options.migrate ? { migrate: true } : {}),
  });
  const stop = () => {
    void svc.close().then(() => process.exit(0));
  };
  // Before the line that tells a supervisor the service is up: a stop that follows it at once
  // must find the handlers (otherwise the default action kills the process mid-write).
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  io.out(`stepgate listening on ${svc.url} (policies ${svc.policyVersion()})`);
  return svc;
}
