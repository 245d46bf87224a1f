import type { FastifyInstance } from 'fastify';
import { openAttestationTrust, type TrustOptions } from '../attestation/attestation-trust.js';
import type { ChallengeDeps } from '../challenges/challenge-deps.js';
import type { WebAuthnContext } from '../challenges/webauthn.js';
import type { WebAuthnSettings } from '../config/webauthn-config.js';
import type { WebAuthnStore } from '../stores/webauthn-store.js';
import { registerFactorRoutes } from './factor-routes.js';
import type { RouteTable } from './route-table.js';
import { registerWebAuthnRoutes } from './webauthn-routes.js';

/**
 * Opens the WebAuthn state of the store family with the service's settings, and loads the attestation trust anchors (`webauthn.attestationRoots`, `webauthn.metadata`).
 *
 * @throws ConfigError when the FIDO metadata BLOB cannot be used.
 * @example
 * const webauthn = await openWebAuthn(stores.webauthn, config.webauthn, { now: Date.now, log });
 */
export async function openWebAuthn(
  store: WebAuthnStore,
  settings: WebAuthnSettings,
  options: TrustOptions,
): Promise<WebAuthnContext> {
  const trust = await openAttestationTrust(settings, options);
  return { settings, store, trust };
}

/**
 * Registers the factor routes (`GET`/`DELETE /v1/users/{id}/factors…`) and the WebAuthn and
 * device-key registration routes.
 */
export function registerWebAuthnFeatures(
  app: FastifyInstance,
  routes: RouteTable,
  deps: ChallengeDeps,
  wa: WebAuthnContext,
): void {
  registerFactorRoutes(app, routes, deps, wa.store);
  registerWebAuthnRoutes(app, routes, deps, wa);
}
