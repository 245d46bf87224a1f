import { StepgateError } from '@stepgate/protocol';

/** Where a configuration problem is: a file position, an environment variable, or an option path. */
export interface ConfigLocation {
  file?: string;
  line?: number;
  column?: number;
  /** The environment variable that set the value. */
  env?: string;
  /** JSON pointer inside the configuration, e.g. `/server/port`. */
  path: string;
}

/**
 * A configuration that cannot be used. The message starts with the location
 * (`stepgate.yaml:4:9 /server/port: must be <= 65535`).
 *
 * @example
 * try { loadConfig({ file: 'stepgate.yaml' }); } catch (e) { if (e instanceof ConfigError) console.error(e.message); }
 */
export class ConfigError extends StepgateError {
  override readonly name = 'ConfigError';
  readonly location: ConfigLocation;

  constructor(location: ConfigLocation, problem: string, options: { cause?: unknown } = {}) {
    const where = location.env
      ? `env ${location.env}`
      : [location.file, location.line, location.column].filter((x) => x !== undefined).join(':');
    super('invalid_request', `${where ? `${where} ` : ''}${location.path || '/'}: ${problem}`, options);
    this.location = location;
  }
}
