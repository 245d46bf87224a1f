import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { StepgateError } from '@stepgate/protocol';

const VERSION_PREFIX = 'v1.';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Purposes of the HMAC keys derived from the master key; each gets its own key. */
export type HmacPurpose = 'api-key' | 'code' | 'console-session' | 'fingerprint' | 'idp-nonce';

/**
 * Secrets at rest (docs/design/wire-contract.md "Tokens", S9): AES-256-GCM for signing keys and TOTP secrets,
 * HMAC-SHA-256 for API keys, codes, console sessions, fingerprints and identity-provider nonces. Every key is derived from the master key,
 * which lives outside the store, with HKDF-SHA-256 and its own `info`.
 *
 * @example
 * const sealer = new Sealer(masterKey);
 * const sealed = sealer.seal(Buffer.from('secret'), 'signing-key:k1');
 * sealer.open(sealed, 'signing-key:k1').toString(); // 'secret'
 */
export class Sealer {
  readonly #encKey: Buffer;
  readonly #hmacKeys: Map<HmacPurpose, Buffer>;

  constructor(masterKey: Buffer) {
    if (masterKey.length !== 32)
      throw new StepgateError('invalid_request', 'the master key must be 32 bytes');
    const derive = (info: string) => Buffer.from(hkdfSync('sha256', masterKey, 'stepgate', info, 32));
    this.#encKey = derive('stepgate/aes-256-gcm');
    this.#hmacKeys = new Map(
      (['api-key', 'code', 'console-session', 'fingerprint', 'idp-nonce'] as const).map((p) => [
        p,
        derive(`stepgate/hmac/${p}`),
      ]),
    );
  }

  /**
   * Encrypts `plaintext`; `context` is bound as additional data, so a sealed value cannot be
   * moved to another row (for example another key id).
   */
  seal(plaintext: Buffer, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#encKey, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return VERSION_PREFIX + Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url');
  }

  /**
   * Decrypts a value from {@link Sealer.seal}.
   *
   * @throws StepgateError `internal_error` when the value was not sealed with this key and context.
   */
  open(sealed: string, context: string): Buffer {
    if (!sealed.startsWith(VERSION_PREFIX))
      throw new StepgateError('internal_error', 'unknown sealed format');
    const raw = Buffer.from(sealed.slice(VERSION_PREFIX.length), 'base64url');
    if (raw.length < IV_BYTES + TAG_BYTES)
      throw new StepgateError('internal_error', 'sealed value too short');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#encKey, raw.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
      return Buffer.concat([
        decipher.update(raw.subarray(IV_BYTES, raw.length - TAG_BYTES)),
        decipher.final(),
      ]);
    } catch (cause) {
      throw new StepgateError('internal_error', 'a sealed secret could not be opened (wrong master key?)', {
        cause,
      });
    }
  }

  /** A keyed hash (HMAC-SHA-256, base64url) of `value` for one purpose. */
  hmac(purpose: HmacPurpose, value: string): string {
    const key = this.#hmacKeys.get(purpose)!;
    return createHmac('sha256', key).update(value, 'utf8').digest('base64url');
  }
}
