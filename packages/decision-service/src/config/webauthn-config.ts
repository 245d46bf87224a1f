/**
 * The `webauthn` section of the configuration: relying party, origin allowlist (S12) and
 * attestation policy with its trust anchors (docs/design/flows.md "Methods and what they prove"; S36).
 */
import { parseCertificate } from '../attestation/certificate-path.js';
import type { DurationInput } from './duration.js';
import { durationSeconds } from './duration.js';

/** `webauthn` as written in the file. */
export interface WebAuthnConfigInput {
  /** Relying party id (a registrable domain). @defaultValue the host of the first http(s) origin */
  rpId?: string;
  /** Relying party name shown by the authenticator. @defaultValue 'Stepgate' */
  rpName?: string;
  /**
   * Exact origins allowed in `clientDataJSON` (S12), plus explicit Android
   * `android:apk-key-hash:…` origins of apps. @defaultValue the top-level `origins`
   */
  origins?: string[];
  /**
   * Accept only attested authenticators: an AAGUID in `allowedAuthenticators` whose attestation
   * chains to a trust anchor (`metadata` or `attestationRoots`). @defaultValue false
   */
  requireAttestation?: boolean;
  /**
   * AAGUIDs (`xxxxxxxx-xxxx-…`) of the authenticator models whose proven attestation counts
   * (`attested`, `amr` `hwk`). @defaultValue []
   */
  allowedAuthenticators?: string[];
  /**
   * A FIDO Metadata Service (MDS3) BLOB file downloaded from https://mds3.fidoalliance.org/
   * (relative to the configuration file). Verified at start against the FIDO root; its
   * statements give each model's attestation roots and status (docs/operators.md).
   */
  metadata?: string;
  /**
   * Attestation root certificates (PEM) per authenticator model, beside or instead of `metadata`.
   * @defaultValue []
   */
  attestationRoots?: AttestationRootsInput[];
  /** How long the browser waits for the user; at most the challenge lifetime. @defaultValue 120 */
  timeout?: DurationInput;
}

/** Root certificates an authenticator model's attestation may chain to. */
export interface AttestationRootsInput {
  /** The model's AAGUID. */
  aaguid: string;
  /** PEM CA certificates (`-----BEGIN CERTIFICATE-----…`). */
  certificates: string[];
}

/** WebAuthn settings with defaults filled. `rpId` undefined means WebAuthn is off. */
export interface WebAuthnSettings {
  rpId: string | undefined;
  rpName: string;
  origins: string[];
  requireAttestation: boolean;
  /** Lower-case AAGUIDs. */
  allowedAuthenticators: string[];
  /** Path of the FIDO MDS3 BLOB, if any. */
  metadata?: string;
  /** Per-model roots, AAGUIDs lower-case. */
  attestationRoots: AttestationRootsInput[];
  /** Seconds. */
  timeout: number;
}

const ORIGIN = '^(https?://[^/?#]+|android:apk-key-hash:[A-Za-z0-9_-]{20,200})$';
const AAGUID = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';

/**
 * The JSON Schema format of a root certificate: PEM that parses as an X.509 CA certificate
 * (load-config.ts registers it, so a bad PEM is a located configuration error).
 */
export const X509_CA_CERTIFICATE = 'x509-ca-certificate';

/**
 * Whether a string is one PEM X.509 certificate of a CA (basicConstraints cA): only a CA can be a
 * root that attestation certificates chain to.
 *
 * @example
 * isPemCaCertificate('-----BEGIN CERTIFICATE-----\n…'); // true for a CA certificate
 */
export function isPemCaCertificate(text: string): boolean {
  const pem = text.trim();
  if (!/^-----BEGIN CERTIFICATE-----[A-Za-z0-9+/=\s]+-----END CERTIFICATE-----$/.test(pem)) return false;
  return parseCertificate(pem)?.ca === true;
}

/** Schema of `webauthn`. */
export const webAuthnConfigSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    rpId: { type: 'string', minLength: 1, maxLength: 253, pattern: '^[A-Za-z0-9.-]+$' },
    rpName: { type: 'string', minLength: 1, maxLength: 100 },
    origins: {
      type: 'array',
      maxItems: 100,
      items: { type: 'string', maxLength: 300, pattern: ORIGIN },
    },
    requireAttestation: { type: 'boolean' },
    allowedAuthenticators: {
      type: 'array',
      maxItems: 500,
      items: { type: 'string', pattern: AAGUID, maxLength: 36 },
    },
    metadata: { type: 'string', minLength: 1, maxLength: 4096 },
    attestationRoots: {
      type: 'array',
      maxItems: 500,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['aaguid', 'certificates'],
        properties: {
          aaguid: { type: 'string', pattern: AAGUID, maxLength: 36 },
          certificates: {
            type: 'array',
            minItems: 1,
            maxItems: 10,
            items: { type: 'string', maxLength: 16_384, format: X509_CA_CERTIFICATE },
          },
        },
      },
    },
    timeout: {
      anyOf: [
        { type: 'integer', minimum: 10, maximum: 300 },
        { type: 'string', pattern: '^(\\d+[smhd])+$', maxLength: 32 },
      ],
    },
  },
} as const;

/** The rpId implied by the first http(s) origin, if any. */
function rpIdOf(origins: string[]): string | undefined {
  for (const origin of origins) {
    if (!/^https?:\/\//.test(origin)) continue;
    try {
      return new URL(origin).hostname;
    } catch {}
  }
  return undefined;
}

/**
 * Fills the defaults of `webauthn`. The timeout is capped at 300 s: a WebAuthn challenge lives
 * at most 5 minutes (S11).
 *
 * @example
 * normalizeWebAuthn({}, ['https://app.example']); // { rpId: 'app.example', origins: ['https://app.example'], … }
 */
export function normalizeWebAuthn(
  input: WebAuthnConfigInput = {},
  appOrigins: string[] = [],
): WebAuthnSettings {
  const origins = input.origins ?? appOrigins;
  return {
    rpId: input.rpId ?? rpIdOf(origins),
    rpName: input.rpName ?? 'Stepgate',
    origins,
    requireAttestation: input.requireAttestation ?? false,
    allowedAuthenticators: (input.allowedAuthenticators ?? []).map((a) => a.toLowerCase()),
    ...(input.metadata === undefined ? {} : { metadata: input.metadata }),
    attestationRoots: (input.attestationRoots ?? []).map((r) => ({
      aaguid: r.aaguid.toLowerCase(),
      certificates: r.certificates,
    })),
    timeout: Math.min(300, input.timeout === undefined ? 120 : durationSeconds(input.timeout)),
  };
}
