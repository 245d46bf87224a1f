// TEMPORARY: stands in for @stepgate/protocol's codec and challenge parser (CONTRACTS.md
// signatures) until they land; then this file becomes plain re-exports.
import type { StepUpContext, StepUpInfo } from '@stepgate/protocol';

export interface ParsedStepUpChallenge {
  dialect: 'stepgate' | 'rfc9470' | 'entra' | 'okta' | 'auth0' | 'clerk';
  acrValues: string[];
  maxAge?: number;
  challengeId?: string;
  stepUp?: StepUpInfo;
  claims?: unknown;
  raw: Record<string, string>;
}

export const MAX_CONTEXT_HEADER_BYTES = 4096;

function b64url(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function encodeStepUpContext(ctx: StepUpContext): string {
  return b64url(new TextEncoder().encode(JSON.stringify(ctx)));
}

export function decodeStepUpContext(header: string | null | undefined): StepUpContext | null {
  if (!header || header.length > MAX_CONTEXT_HEADER_BYTES) return null;
  try {
    const bin = atob(header.replace(/-/g, '+').replace(/_/g, '/'));
    const value = JSON.parse(new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0))));
    return value?.v === 1 ? (value as StepUpContext) : null;
  } catch {
    return null;
  }
}

export function parseStepUpChallenge(
  wwwAuthenticate: string | null | undefined,
  body?: unknown,
): ParsedStepUpChallenge | null {
  const raw: Record<string, string> = {};
  for (const m of (wwwAuthenticate ?? '').matchAll(/([a-zA-Z_]+)="([^"]*)"/g)) raw[m[1]!] = m[2]!;
  const stepUp = (body as { stepUp?: StepUpInfo } | undefined)?.stepUp;
  const acrValues = raw.acr_values ? raw.acr_values.split(' ') : [];
  if (raw.step_up_challenge || stepUp) {
    const out: ParsedStepUpChallenge = { dialect: 'stepgate', acrValues, raw };
    const id = raw.step_up_challenge ?? stepUp?.challengeId;
    if (id) out.challengeId = id;
    if (stepUp) out.stepUp = stepUp;
    if (raw.max_age) out.maxAge = Number(raw.max_age);
    return out;
  }
  if (raw.error === 'insufficient_user_authentication') return { dialect: 'rfc9470', acrValues, raw };
  if (raw.error === 'insufficient_claims') return { dialect: 'entra', acrValues, claims: raw.claims, raw };
  return null;
}
