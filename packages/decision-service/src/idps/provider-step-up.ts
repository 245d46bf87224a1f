/**
 * What a step-up answer tells a client about each identity provider that may perform it
 * (RFC 9470 §4: go back to the authorization server with `acr_values` and `max_age`), with the
 * authorization request parameters of OpenID Connect Core §3.1.2.1 — never a secret.
 */
import { idpIdOf, type Level, levelAtLeast, type ProviderStepUp, type Requirement } from '@stepgate/protocol';
import type { Sealer } from '../secrets/sealer.js';
import type { IdentityProviders } from './identity-providers.js';
import { amrValuesFor } from './provider-methods.js';
import { type NonceBinding, providerNonce } from './provider-nonce.js';

const RANK: Record<Level, number> = { aal1: 0, aal2: 1, aal3: 2 };

/**
 * The provider's `acr` values that meet `level` by its map, least friction first (the lowest
 * mapped level that suffices, then the map's order).
 *
 * @example
 * acrValuesFor({ pwd: 'aal1', mfa: 'aal2', phr: 'aal3' }, 'aal2'); // ['mfa', 'phr']
 */
export function acrValuesFor(acrMap: Readonly<Record<string, Level>>, level: Level): string[] {
  return Object.entries(acrMap)
    .filter(([, l]) => levelAtLeast(l, level))
    .sort(([, a], [, b]) => RANK[a] - RANK[b])
    .map(([acr]) => acr);
}

/**
 * The `providers` of a step-up answer: one entry per identity-provider performer of the
 * requirement, in its order, each with a nonce bound to this user, session, action and digest.
 * When the requirement restricts methods (`providerMethods`), each asks for `amr` among the
 * provider's values that count as an allowed method; a provider without one is left out.
 *
 * @example
 * providerStepUps(ctx.idps, ctx.sealer, requirement, { userId, sessionId, action, digest }, nowSec, 300);
 */
export function providerStepUps(
  idps: IdentityProviders,
  sealer: Sealer,
  requirement: Requirement,
  binding: Omit<NonceBinding, 'idp'>,
  now: number,
  lifetime: number,
): ProviderStepUp[] {
  const out: ProviderStepUp[] = [];
  for (const performer of requirement.performers ?? []) {
    const id = idpIdOf(performer);
    const provider = id === undefined ? undefined : idps.byId(id);
    if (!provider) continue;
    const { settings, metadata } = provider;
    const acrValues = acrValuesFor(settings.acrMap, requirement.level);
    // OIDC Core §5.5.1.1: ask for `acr` as an essential claim among the acceptable values, and
    // for `auth_time`, which the freshness check needs.
    const idToken: Record<string, unknown> = { auth_time: { essential: true } };
    if (acrValues.length > 0) idToken.acr = { essential: true, values: acrValues };
    if (requirement.providerMethods !== undefined) {
      // OIDC Core §5.5.1: `amr` essential among the values that count as an allowed method. The
      // engine offers only providers that have one; a provider without any could never pass.
      const amrValues = amrValuesFor(settings.methods, requirement.providerMethods);
      if (amrValues.length === 0) continue;
      idToken.amr = { essential: true, values: amrValues };
    }
    out.push({
      performer: provider.performer,
      name: settings.name,
      issuer: settings.issuer,
      authorizationEndpoint: metadata.authorizationEndpoint,
      params: {
        client_id: settings.clientId,
        response_type: 'code',
        scope: settings.scope,
        ...(acrValues.length > 0 ? { acr_values: acrValues.join(' ') } : {}),
        ...(requirement.maxAge === undefined ? {} : { max_age: String(requirement.maxAge) }),
        // "For this request only": the user authenticates again, whatever their session there.
        ...(requirement.maxAge === 0 ? { prompt: 'login' } : {}),
        claims: JSON.stringify({ id_token: idToken }),
        nonce: providerNonce(sealer, { ...binding, idp: settings.id }, now),
      },
      expiresAt: new Date((now + lifetime) * 1000).toISOString(),
    });
  }
  return out;
}
