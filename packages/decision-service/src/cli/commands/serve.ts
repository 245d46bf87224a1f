import type { Logger } from 'pino';
import { createLogger } from '../../logging/logger.js';
import type { RunningService } from '../../start.js';
import { startDecisionService } from '../../start.js';
import type { CliIo } from '../io.js';
import { configFile } from '../open-store.js';

/** How long SIGTERM / SIGINT wait for in-flight requests before the process exits anyway. */
export const DEFAULT_DRAIN_SECONDS = 10;

/**
 * `stepgate serve`: starts the HTTP service on the configured store (SQLite by default), reloads policies on
 * change and on SIGHUP, and stops cleanly on SIGINT / SIGTERM. It creates no API key (keys come
 * from `stepgate apikey create`). `dev` adds development checks: a warning in the log when the
 * issuer is not the URL it listens on.
 *
 * It writes JSON log lines only (log shippers ingest stdout as it is): `event` is `start` (with
 * `url`), `drain` (a signal arrived: no new connections, in-flight requests finish) and `shutdown`
 * (`forced: true` when the drain outlived `drainSeconds`, exit code 1). Policy reloads are logged
 * by the service at its configured level.
 */
export async function runServe(
  options: {
    config?: string;
    port?: number;
    host?: string;
    dev?: boolean;
    migrate?: boolean;
    drainSeconds?: number;
  },
  _io: CliIo,
  log: Logger = createLogger('info'),
): Promise<RunningService> {
  const drainMs = (options.drainSeconds ?? DEFAULT_DRAIN_SECONDS) * 1000;
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
  const stop = (signal: NodeJS.Signals) => {
    log.info({ event: 'drain', signal, deadlineMs: drainMs }, 'draining: finishing in-flight requests');
    const deadline = setTimeout(() => {
      log.error({ event: 'shutdown', forced: true }, 'in-flight requests outlived the drain deadline');
      process.exit(1);
    }, drainMs);
    svc.close().then(
      () => {
        clearTimeout(deadline);
        log.info({ event: 'shutdown', forced: false }, 'stopped');
        process.exit(0);
      },
      (err: unknown) => {
        log.error({ event: 'shutdown', err }, 'stop failed');
        process.exit(1);
      },
    );
  };
  // Before the line that tells a supervisor the service is up: a stop that follows it at once
  // must find the handlers (otherwise the default action kills the process mid-write).
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  log.info({ event: 'start', url: svc.url, policyVersion: svc.policyVersion() }, 'stepgate listening');
  return svc;
}
