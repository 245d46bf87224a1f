/**
 * The configured identity providers, discovered at start (`idps` in the configuration,
 * docs/idp.md).
 */
import type { IdpReach } from '@stepgate/policy-engine';
import type { Logger } from 'pino';
import type { IdpSettings } from '../config/idps-config.js';
import { IdentityProvider } from './identity-provider.js';
import { discoverProvider } from './provider-metadata.js';

/** The providers by id and issuer. */
export class IdentityProviders {
  readonly #byId: Map<string, IdentityProvider>;
  readonly #byIssuer: Map<string, IdentityProvider>;

  constructor(providers: readonly IdentityProvider[]) {
    this.#byId = new Map(providers.map((p) => [p.settings.id, p]));
    this.#byIssuer = new Map(providers.map((p) => [p.settings.issuer, p]));
  }

  /** The provider of an `idp:<id>` performer. */
  byId(id: string): IdentityProvider | undefined {
    return this.#byId.get(id);
  }

  /** The provider whose issuer identifier is `iss`. */
  byIssuer(iss: string): IdentityProvider | undefined {
    return this.#byIssuer.get(iss);
  }

  /** What the policy engine needs: ids, the highest level each map gives and the methods each proves. */
  reach(): IdpReach[] {
    return [...this.#byId.values()].map(({ settings }) => {
      const methods = [...new Set(Object.values(settings.methods))];
      return methods.length === 0
        ? { id: settings.id, maxLevel: settings.maxLevel }
        : { id: settings.id, maxLevel: settings.maxLevel, methods };
    });
  }

  get size(): number {
    return this.#byId.size;
  }
}

/**
 * Discovers every configured provider (in parallel) and sets up its JWKS.
 *
 * @throws ConfigError located at the first provider whose discovery fails.
 * @example
 * const idps = await openIdentityProviders(config.idps, { log });
 */
export async function openIdentityProviders(
  settings: readonly IdpSettings[],
  options: { log: Logger; fetch?: typeof fetch },
): Promise<IdentityProviders> {
  const providers = await Promise.all(
    settings.map(async (s) => {
      const meta = await discoverProvider(s, options.fetch);
      const unknown = Object.keys(s.acrMap).filter((acr) => meta.acrValuesSupported?.includes(acr) === false);
      if (unknown.length > 0) {
        options.log.warn(
          { idp: s.id, acr: unknown, supported: meta.acrValuesSupported },
          'acrMap names acr values the provider does not publish',
        );
      }
      return new IdentityProvider(s, meta);
    }),
  );
  return new IdentityProviders(providers);
}
