import { createPrivateKey, createPublicKey, hkdfSync, type KeyObject, sign, verify } from 'node:crypto';
import { canonicalJson } from '@stepgate/protocol';
import type { AuditReader } from './audit-reader.js';

/** DER prefix of an Ed25519 PKCS#8 private key (RFC 8410 §7), followed by the 32-byte seed. */
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/** A signed head of the audit log: keep it away from the database (S28). */
export interface AuditCheckpoint {
  v: 1;
  alg: 'Ed25519';
  /** Key id: SHA-256 thumbprint prefix of the public key. */
  kid: string;
  /** Records up to and including `seq`. */
  count: number;
  seq: number;
  /** Hash of the record `seq` (`''` for an empty log). */
  headHash: string;
  time: string;
  /** base64url Ed25519 signature over the RFC 8785 JSON of every other member. */
  signature: string;
}

/** The checkpoint signing key. */
export interface CheckpointKey {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

/**
 * Derives the checkpoint key from the master key (HKDF-SHA-256, its own `info`), so it is never
 * stored: whoever can rewrite `audit.db` without the master key cannot forge a checkpoint.
 *
 * @example
 * const key = checkpointKey(masterKey);
 */
export function checkpointKey(masterKey: Buffer): CheckpointKey {
  const seed = Buffer.from(
    hkdfSync('sha256', masterKey, 'stepgate', 'stepgate/audit-checkpoint/ed25519', 32),
  );
  const privateKey = createPrivateKey({
    key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]),
    format: 'der',
    type: 'pkcs8',
  });
  const publicKey = createPublicKey(privateKey);
  const raw = publicKey.export({ format: 'jwk' }).x ?? '';
  return { kid: `audit-${raw.slice(0, 16)}`, privateKey, publicKey };
}

const signedText = (cp: Omit<AuditCheckpoint, 'signature'>) => Buffer.from(canonicalJson(cp), 'utf8');

/**
 * Signs the current head of the log.
 *
 * @example
 * writeFileSync('checkpoint.json', JSON.stringify(createCheckpoint(reader, key, Date.now())));
 */
export function createCheckpoint(
  reader: AuditReader | AuditHead,
  key: CheckpointKey,
  now: number,
): AuditCheckpoint {
  const head = 'head' in reader ? reader.head() : reader;
  const unsigned = {
    v: 1 as const,
    alg: 'Ed25519' as const,
    kid: key.kid,
    count: head.count,
    seq: head.seq,
    headHash: head.hash ?? '',
    time: new Date(now).toISOString(),
  };
  return { ...unsigned, signature: sign(null, signedText(unsigned), key.privateKey).toString('base64url') };
}

/** The head of a log: records, last seq and its hash (`undefined` when empty). */
export interface AuditHead {
  count: number;
  seq: number;
  hash: string | undefined;
}

/** Parses a checkpoint file's JSON; `undefined` when it is not one. */
export function parseCheckpoint(text: string): AuditCheckpoint | undefined {
  try {
    const v = JSON.parse(text) as Partial<AuditCheckpoint>;
    const ok =
      v.v === 1 &&
      v.alg === 'Ed25519' &&
      typeof v.kid === 'string' &&
      Number.isSafeInteger(v.count) &&
      Number.isSafeInteger(v.seq) &&
      typeof v.headHash === 'string' &&
      typeof v.time === 'string' &&
      typeof v.signature === 'string';
    return ok ? (v as AuditCheckpoint) : undefined;
  } catch {
    return undefined;
  }
}

/** Whether the checkpoint's signature is valid under this public key. */
export function checkpointSignatureValid(cp: AuditCheckpoint, publicKey: KeyObject): boolean {
  const { signature, ...unsigned } = cp;
  try {
    return verify(null, signedText(unsigned), publicKey, Buffer.from(signature, 'base64url'));
  } catch {
    return false;
  }
}
