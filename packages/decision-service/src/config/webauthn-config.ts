/**
 * The `webauthn` section of the configuration: relying party, origin allowlist (S12) and
 * attestation policy (DESIGN.md "Methods").
 */
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
  /** Accept only attested authenticators whose AAGUID is in `allowedAuthenticators`. @defaultValue false */
  requireAttestation?: boolean;
  /** AAGUIDs (`xxxxxxxx-xxxx-…`) of accepted authenticator models. @defaultValue [] */
  allowedAuthenticators?: string[];
  /** How long the browser waits for the user; at most the challenge lifetime. @defaultValue 120 */
  timeout?: DurationInput;
}

/** WebAuthn settings with defaults filled. `rpId` undefined means WebAuthn is off. */
export interface WebAuthnSettings {
  rpId: string | undefined;
  rpName: string;
  origins: string[];
  requireAttestation: boolean;
  /** Lower-case AAGUIDs. */
  allowedAuthenticators: string[];
  /** Seconds. */
  timeout: number;
}

const ORIGIN = '^(https?://[^/?#]+|android:apk-key-hash:[A-Za-z0-9_-]{20,200})$';
const AAGUID = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';

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
    timeout: Math.min(300, input.timeout === undefined ? 120 : durationSeconds(input.timeout)),
  };
}
