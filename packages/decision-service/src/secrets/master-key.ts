import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { StepgateError } from '@stepgate/protocol';

/** Length of the master key in bytes (AES-256). */
export const MASTER_KEY_BYTES = 32;

/**
 * Decodes a master key written as base64url or base64 (44 or 43 characters, 32 bytes).
 *
 * @throws StepgateError `invalid_request` when the text is not 32 bytes of base64.
 */
export function decodeMasterKey(text: string, source: string): Buffer {
  const trimmed = text.trim();
  if (!/^[A-Za-z0-9+/_-]{43}=?$/.test(trimmed)) {
    throw new StepgateError('invalid_request', `${source}: the master key must be 32 bytes in base64url`);
  }
  const key = Buffer.from(trimmed.replaceAll('+', '-').replaceAll('/', '_').replace(/=$/, ''), 'base64url');
  if (key.length !== MASTER_KEY_BYTES) {
    throw new StepgateError('invalid_request', `${source}: the master key must be 32 bytes in base64url`);
  }
  return key;
}

/**
 * Writes a fresh master key (32 bytes from the CSPRNG, base64url) to `file` with mode 0600.
 * Refuses to overwrite an existing file.
 *
 * @throws StepgateError `conflict` when the file exists.
 */
export function writeMasterKeyFile(file: string): Buffer {
  if (existsSync(file))
    throw new StepgateError('conflict', `${file} already exists; refusing to overwrite it`);
  const key = randomBytes(MASTER_KEY_BYTES);
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, `${key.toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return key;
}

/**
 * Reads the master key from a key file. The file must not be readable by group or others.
 *
 * @throws StepgateError `invalid_request` when the file is missing, too open or malformed.
 */
export function readMasterKeyFile(file: string): Buffer {
  let mode: number;
  try {
    mode = statSync(file).mode;
  } catch (cause) {
    throw new StepgateError('invalid_request', `key file ${file} cannot be read (run "stepgate init")`, {
      cause,
    });
  }
  if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
    throw new StepgateError(
      'invalid_request',
      `key file ${file} is readable by others (mode ${(mode & 0o777).toString(8)}); run "chmod 600 ${file}"`,
    );
  }
  return decodeMasterKey(readFileSync(file, 'utf8'), file);
}

/**
 * Loads the master key: `STEPGATE_MASTER_KEY` (given as `envValue`) wins over the key file; when
 * neither exists and `createIfMissing` is set, a key file is written.
 *
 * @throws StepgateError `invalid_request` when no key can be found or it is malformed.
 */
export function loadMasterKey(options: {
  envValue?: string | undefined;
  keyFile?: string | undefined;
  createIfMissing?: boolean;
}): Buffer {
  if (options.envValue !== undefined && options.envValue !== '') {
    return decodeMasterKey(options.envValue, 'STEPGATE_MASTER_KEY');
  }
  if (options.keyFile === undefined) {
    throw new StepgateError(
      'invalid_request',
      'no master key: set keyFile in the config or STEPGATE_MASTER_KEY',
    );
  }
  if (options.createIfMissing && !existsSync(options.keyFile)) return writeMasterKeyFile(options.keyFile);
  return readMasterKeyFile(options.keyFile);
}
