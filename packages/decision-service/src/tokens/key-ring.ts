import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';
import type { Sealer } from '../secrets/sealer.js';
import type { SigningKeyRecord, SigningKeyUse, Store } from '../stores/store.js';

/** A public JWK as published in the JWKS. */
export interface PublicJwk {
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
  kid: string;
  alg: 'ES256';
  use: 'sig';
}

interface LoadedKey {
  record: SigningKeyRecord;
  publicKey: KeyObject;
  privateKey?: KeyObject;
}

/** RFC 7638 JWK thumbprint (SHA-256, base64url), used as the `kid`. */
export function jwkThumbprint(jwk: { crv: string; kty: string; x: string; y: string }): string {
  const canonical = JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y });
  return createHash('sha256').update(canonical).digest('base64url');
}

/**
 * How long a retired key stays trusted and published: the longest lifetime of its tokens, the
 * clock skew, and one key-refresh period (a replica may sign with it until it re-reads the keys).
 */
export function keyRetention(
  tokens: { lifetime: number; deviceLifetime: number; clockSkew: number },
  refreshMs: number,
): (use: SigningKeyUse) => number {
  return (use) =>
    ((use === 'step_up' ? tokens.lifetime : tokens.deviceLifetime) + tokens.clockSkew) * 1000 + refreshMs;
}

/** Options of {@link KeyRing}. */
export interface KeyRingOptions {
  store: Store;
  sealer: Sealer;
  /** Unix ms. */
  now: () => number;
  /** How long a retired key stays published and trusted: the longest token lifetime + skew, ms. */
  retentionMs: (use: SigningKeyUse) => number;
  /**
   * Least time between two store reads triggered by an unknown `kid` (S19), ms.
   * @defaultValue 30000
   */
  refreshCooldownMs?: number;
}

/**
 * ES256 signing keys, kept in the store with the private key sealed under the master key.
 * Rotation adds a key and retires the previous one; retired keys keep verifying (and stay in
 * the JWKS) until their tokens have expired (S19). `step_up` keys are published; `device` keys
 * (remembered-device tokens) never are.
 */
export class KeyRing {
  readonly #options: KeyRingOptions;
  #keys = new Map<SigningKeyUse, LoadedKey[]>();
  #lastRefresh = Number.NEGATIVE_INFINITY;

  constructor(options: KeyRingOptions) {
    this.#options = options;
  }

  /** Reads every key from the store, creating a first key for a use that has none. */
  async refresh(): Promise<void> {
    const next = new Map<SigningKeyUse, LoadedKey[]>();
    for (const use of ['step_up', 'device'] as const) {
      let records = await this.#options.store.listSigningKeys(use);
      if (!records.some((r) => r.retiredAt === undefined)) {
        await this.#options.store.insertSigningKey(this.#generate(use));
        records = await this.#options.store.listSigningKeys(use);
      }
      const previous = new Map((this.#keys.get(use) ?? []).map((k) => [k.record.kid, k]));
      next.set(
        use,
        records.map((record) => {
          const cached = previous.get(record.kid);
          if (cached && cached.record.retiredAt === record.retiredAt) return cached;
          return { record, publicKey: createPublicKey({ key: JSON.parse(record.publicJwk), format: 'jwk' }) };
        }),
      );
    }
    this.#keys = next;
    this.#lastRefresh = this.#options.now();
  }

  /** Refreshes when an unknown `kid` shows up, at most once per cooldown. @returns whether it ran. */
  async refreshForUnknownKid(): Promise<boolean> {
    if (this.#options.now() - this.#lastRefresh < (this.#options.refreshCooldownMs ?? 30_000)) return false;
    await this.refresh();
    return true;
  }

  /** Adds a new key for `use` and retires the others. @returns the new `kid`. */
  async rotate(use: SigningKeyUse): Promise<string> {
    const record = this.#generate(use);
    await this.#options.store.insertSigningKey(record);
    await this.#options.store.retireSigningKeys(use, record.kid, record.createdAt);
    await this.refresh();
    return record.kid;
  }

  /** The key that signs new tokens of `use`, with its private key opened. */
  signingKey(use: SigningKeyUse): { kid: string; privateKey: KeyObject } {
    const key = (this.#keys.get(use) ?? []).find((k) => k.record.retiredAt === undefined);
    if (!key) throw new Error('key ring not loaded');
    key.privateKey ??= createPrivateKey({
      key: this.#options.sealer.open(key.record.privateSealed, `signing-key:${key.record.kid}`),
      format: 'der',
      type: 'pkcs8',
    });
    return { kid: key.record.kid, privateKey: key.privateKey };
  }

  /** The public key for a `kid` of `use`, if it is current or retired within the retention period. */
  verificationKey(use: SigningKeyUse, kid: string): KeyObject | undefined {
    const key = (this.#keys.get(use) ?? []).find((k) => k.record.kid === kid);
    return key && this.#trusted(use, key.record) ? key.publicKey : undefined;
  }

  /** The published JWKS: current and recently retired `step_up` keys. */
  jwks(): { keys: PublicJwk[] } {
    const keys = (this.#keys.get('step_up') ?? []).filter((k) => this.#trusted('step_up', k.record));
    return { keys: keys.map((k) => JSON.parse(k.record.publicJwk) as PublicJwk) };
  }

  #trusted(use: SigningKeyUse, record: SigningKeyRecord): boolean {
    return (
      record.retiredAt === undefined ||
      this.#options.now() - record.retiredAt <= this.#options.retentionMs(use)
    );
  }

  #generate(use: SigningKeyUse): SigningKeyRecord {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = publicKey.export({ format: 'jwk' }) as { kty: 'EC'; crv: 'P-256'; x: string; y: string };
    const kid = jwkThumbprint(jwk);
    const publicJwk: PublicJwk = {
      kty: 'EC',
      crv: 'P-256',
      x: jwk.x,
      y: jwk.y,
      kid,
      alg: 'ES256',
      use: 'sig',
    };
    const der = privateKey.export({ format: 'der', type: 'pkcs8' });
    return {
      kid,
      use,
      alg: 'ES256',
      publicJwk: JSON.stringify(publicJwk),
      privateSealed: this.#options.sealer.seal(der, `signing-key:${kid}`),
      createdAt: this.#options.now(),
    };
  }
}
