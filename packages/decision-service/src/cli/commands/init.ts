import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeMasterKeyFile } from '../../secrets/master-key.js';
import { CliError, type CliIo } from '../io.js';
import { configTemplate, POLICY_TEMPLATE, POLICY_TESTS_TEMPLATE } from '../templates.js';

/** Options of `stepgate init`. */
export interface InitOptions {
  /** @defaultValue '.' */
  dir?: string;
  /** Development defaults (localhost origin, debug logs, the dev outbox). @defaultValue false */
  dev?: boolean;
  /** The port written to `server.port` (0 is refused: the issuer must name a fixed port). @defaultValue 8787 */
  port?: number;
  /**
   * `iss` of upgraded tokens. @defaultValue `http://localhost:<port>` with `dev` (derived from the
   * port written, so tokens name where the service listens), else `urn:stepgate`
   */
  issuer?: string;
}

/** The JSON Schemas shipped in this package (`schemas/`, written by its build). */
const SCHEMA_DIR = fileURLToPath(new URL('../../../schemas/', import.meta.url));

/**
 * Puts a `yaml-language-server` modeline first, pointing at the schema installed with this package
 * by a path relative to the file, so editors validate and complete offline. Left out when the
 * package was not built with its schemas.
 */
function withSchema(dir: string, schema: string, text: string): string {
  const file = join(SCHEMA_DIR, schema);
  if (!existsSync(file)) return text;
  const path = relative(dir, file).split(sep).join('/');
  return `# yaml-language-server: $schema=${path}\n${text}`;
}

/**
 * `stepgate init`: writes a commented `stepgate.yaml`, an example `policies.yaml` with its tests,
 * the `data/` directory and the master key file (mode 0600). Never overwrites a file. The issuer
 * is derived from the port it writes (`--dev`) or given (`--issuer`).
 *
 * @throws CliError when one of the files exists, for port 0, or for an empty or spaced issuer.
 */
export function runInit(options: InitOptions, io: CliIo): void {
  const dir = resolve(options.dir ?? '.');
  const dev = options.dev ?? false;
  const port = options.port ?? 8787;
  if (port === 0)
    throw new CliError('init writes a fixed port (the issuer names it): pick one from 1 to 65535');
  const issuer = options.issuer ?? (dev ? `http://localhost:${port}` : 'urn:stepgate');
  if (issuer.length === 0 || issuer.length > 500 || /\s/.test(issuer)) {
    throw new CliError('--issuer must be a URL or URN of at most 500 characters, without spaces');
  }
  mkdirSync(dir, { recursive: true });
  const files = {
    'stepgate.yaml': withSchema(dir, 'stepgate.schema.json', configTemplate({ dev, port, issuer })),
    'policies.yaml': withSchema(dir, 'policy.schema.json', POLICY_TEMPLATE),
    'policies.test.yaml': POLICY_TESTS_TEMPLATE,
  };
  const existing = [...Object.keys(files), 'stepgate.key'].filter((f) => existsSync(join(dir, f)));
  if (existing.length > 0) throw new CliError(`refusing to overwrite ${existing.join(', ')} in ${dir}`);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text, { flag: 'wx' });
  mkdirSync(join(dir, 'data'), { recursive: true, mode: 0o700 });
  writeMasterKeyFile(join(dir, 'stepgate.key'));
  io.out(`Wrote ${dir}/stepgate.yaml, policies.yaml, policies.test.yaml, data/ and stepgate.key (mode 0600).
Keep stepgate.key secret and out of backups of data/.
Next:
  stepgate policy test policies.test.yaml
  stepgate apikey create --config stepgate.yaml
  stepgate serve --config stepgate.yaml${dev ? ' --dev' : ''}`);
}
