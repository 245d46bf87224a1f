/**
 * A software WebAuthn authenticator for tests that need attestation Chromium's virtual
 * authenticator cannot give (its packed statement always carries one fixed self-signed
 * certificate): `packed` full attestation with any `x5c`, or self attestation, and assertions
 * with chosen BE/BS flags. Built per WebAuthn L3 §6.1 (authenticator data), §6.5.4 and §8.2
 * (packed), with the CBOR codec SimpleWebAuthn itself uses.
 */
import { createHash, generateKeyPairSync, KeyObject, randomBytes, sign } from 'node:crypto';
import { isoCBOR } from '@simplewebauthn/server/helpers';
import type { Issued } from './attestation-pki.js';

/** Flag bits of authenticator data (WebAuthn L3 §6.1). */
const UP = 0x01;
const UV = 0x04;
const BE = 0x08;
const BS = 0x10;
const AT = 0x40;

/** How the authenticator attests a new credential. */
export type Attestation =
  | { type: 'full'; x5c: Issued[]; signer: Issued }
  /** Packed self attestation: no `x5c`, signed by the credential key itself. */
  | { type: 'self' };

/** Options of {@link SoftAuthenticator}. */
export interface SoftAuthenticatorOptions {
  aaguid: string;
  attestation: Attestation;
  origin: string;
  rpId?: string;
  /** BE and BS at registration. @defaultValue false, false */
  backupEligible?: boolean;
  backupState?: boolean;
}

const b64u = (b: Uint8Array) => Buffer.from(b).toString('base64url');
const sha256 = (b: Uint8Array | string) => createHash('sha256').update(b).digest();

/** One credential on a software authenticator. */
export class SoftAuthenticator {
  readonly credentialId = randomBytes(32);
  readonly #key: { privateKey: KeyObject; publicKey: KeyObject };
  #counter = 0;
  /** BE and BS of the next assertion (settable, like CDP's `setCredentialProperties`). */
  backupEligible: boolean;
  backupState: boolean;

  constructor(readonly o: SoftAuthenticatorOptions) {
    this.#key = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    this.backupEligible = o.backupEligible ?? false;
    this.backupState = o.backupState ?? false;
  }

  get id(): string {
    return b64u(this.credentialId);
  }

  #flags(extra: number): number {
    return UP | UV | (this.backupEligible ? BE : 0) | (this.backupState ? BS : 0) | extra;
  }

  #clientData(type: string, challenge: string): Buffer {
    return Buffer.from(JSON.stringify({ type, challenge, origin: this.o.origin, crossOrigin: false }));
  }

  /** The COSE_Key (EC2, ES256) of the credential (RFC 9052 §7, WebAuthn L3 §6.5.1.1). */
  #coseKey(): Uint8Array {
    const jwk = this.#key.publicKey.export({ format: 'jwk' });
    return isoCBOR.encode(
      new Map<number, number | Uint8Array>([
        [1, 2],
        [3, -7],
        [-1, 1],
        [-2, Buffer.from(jwk.x!, 'base64url')],
        [-3, Buffer.from(jwk.y!, 'base64url')],
      ]),
    );
  }

  /** `navigator.credentials.create()`'s JSON for registration options from the service. */
  create(publicKey: { challenge: string }): Record<string, unknown> {
    const rpIdHash = sha256(this.o.rpId ?? 'localhost');
    const aaguid = Buffer.from(this.o.aaguid.replaceAll('-', ''), 'hex');
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(this.credentialId.length);
    const counter = Buffer.alloc(4);
    const authData = Buffer.concat([
      rpIdHash,
      Buffer.from([this.#flags(AT)]),
      counter,
      aaguid,
      idLength,
      this.credentialId,
      this.#coseKey(),
    ]);
    const clientData = this.#clientData('webauthn.create', publicKey.challenge);
    // §8.2: the signature is over authenticatorData ‖ SHA-256(clientDataJSON).
    const signed = Buffer.concat([authData, sha256(clientData)]);
    const a = this.o.attestation;
    const attStmt = new Map<string, unknown>([['alg', -7]]);
    if (a.type === 'full') {
      attStmt.set('sig', new Uint8Array(sign('sha256', signed, KeyObject.from(a.signer.keys.privateKey))));
      attStmt.set(
        'x5c',
        a.x5c.map((c) => c.der),
      );
    } else {
      attStmt.set('sig', new Uint8Array(sign('sha256', signed, this.#key.privateKey)));
    }
    const attestationObject = isoCBOR.encode(
      new Map<string, unknown>([
        ['fmt', 'packed'],
        ['attStmt', attStmt],
        ['authData', new Uint8Array(authData)],
      ]) as never,
    );
    return {
      id: this.id,
      rawId: this.id,
      type: 'public-key',
      clientExtensionResults: {},
      authenticatorAttachment: 'cross-platform',
      response: {
        clientDataJSON: b64u(clientData),
        attestationObject: b64u(attestationObject),
        transports: ['usb'],
      },
    };
  }

  /** `navigator.credentials.get()`'s JSON for request options from the service. */
  get(publicKey: { challenge: string }): Record<string, unknown> {
    this.#counter += 1;
    const counter = Buffer.alloc(4);
    counter.writeUInt32BE(this.#counter);
    const authData = Buffer.concat([
      sha256(this.o.rpId ?? 'localhost'),
      Buffer.from([this.#flags(0)]),
      counter,
    ]);
    const clientData = this.#clientData('webauthn.get', publicKey.challenge);
    const signature = sign('sha256', Buffer.concat([authData, sha256(clientData)]), this.#key.privateKey);
    return {
      id: this.id,
      rawId: this.id,
      type: 'public-key',
      clientExtensionResults: {},
      response: {
        authenticatorData: b64u(authData),
        clientDataJSON: b64u(clientData),
        signature: b64u(signature),
      },
    };
  }
}
