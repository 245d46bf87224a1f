import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeMasterKeyFile } from '../../secrets/master-key.js';
import { CliError, type CliIo } from '../io.js';
import { configTemplate, POLICY_TEMPLATE, POLICY_TESTS_TEMPLATE } from '../templates.js';

/** Options of `stepgate init`. */
export interface InitOptions {
  /** @defaultValue '.' */
  dir?: string;
  /** Development defaults (localhost origin, debug logs). @defaultValue false */
  dev?: boolean;
}

/**
 * `stepgate init`: writes a commented `stepgate.yaml`, an example `policies.yaml` with its tests,
 * the `data/` directory and the master key file (mode 0600). Never overwrites a file.
 *
 * @throws CliError when one of the files exists.
 */
export function runInit(options: InitOptions, io: CliIo): void {
  const dir = resolve(options.dir ?? '.');
  mkdirSync(dir, { recursive: true });
  const files = {
    'stepgate.yaml': configTemplate({ dev: options.dev ?? false }),
    'policies.yaml': POLICY_TEMPLATE,
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
  stepgate serve --config stepgate.yaml`);
}
