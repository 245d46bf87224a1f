import { type DestinationStream, type Logger, pino } from 'pino';
import type { LogLevel } from '../config/service-config.js';

/**
 * Paths pino redacts: tokens, codes, secrets and credentials never reach a log line (S9, S27).
 * Wildcards cover them at any of the first nesting levels where request bodies are logged.
 */
export const REDACT_PATHS: readonly string[] = [
  'req.headers.authorization',
  'req.headers["step-up-token"]',
  'req.headers["step-up-context"]',
  'req.headers.cookie',
  ...[
    'stepUpToken',
    'token',
    'deviceToken',
    'code',
    'secret',
    'apiKey',
    'adminKey',
    'password',
    'masterKey',
  ].flatMap((k) => [k, `*.${k}`, `*.*.${k}`, `*.*.*.${k}`]),
];

/**
 * Creates the service logger (pino, JSON lines) with redaction.
 *
 * @example
 * const log = createLogger('info');
 * log.info({ stepUpToken: 'eyJ…' }, 'decided'); // stepUpToken: "[Redacted]"
 */
export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service: 'stepgate' },
    redact: { paths: [...REDACT_PATHS], censor: '[Redacted]' },
  };
  return destination ? pino(options, destination) : pino(options);
}
