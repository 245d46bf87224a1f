import type { Logger } from 'pino';
import type { ServiceAuditLog } from './audit/audit-port.js';
import type { ChallengeDeps } from './challenges/challenge-deps.js';
import type { ServiceConfig } from './config/service-config.js';
import type { IdentityProviders } from './idps/identity-providers.js';
import type { ServiceMetrics } from './metrics/service-metrics.js';
import type { PolicyHolder } from './policies/policy-holder.js';
import type { Sealer } from './secrets/sealer.js';
import type { GeoResolver } from './state/geo-resolver.js';
import type { Store } from './stores/store.js';
import type { KeyRing } from './tokens/key-ring.js';
import type { TokenService } from './tokens/token-service.js';

/** Everything a request handler needs; built once by `startDecisionService`. */
export interface ServiceContext {
  config: ServiceConfig;
  store: Store;
  sealer: Sealer;
  keys: KeyRing;
  tokens: TokenService;
  policies: PolicyHolder;
  geo: GeoResolver | undefined;
  /** The configured identity providers (`idps`), discovered at start. */
  idps: IdentityProviders;
  log: Logger;
  /** Unix milliseconds (injectable for tests). */
  now: () => number;
  /** The hash-chained audit log (an `AuditSink`): `append` resolves once the event is durable. */
  audit: ServiceAuditLog;
  /** Prometheus metrics of this service. */
  metrics: ServiceMetrics;
  /** What the challenge and enrollment services use. */
  challengeDeps: ChallengeDeps;
}

/** The caller, as its API key says. */
export interface Caller {
  apiKeyId: string;
  audience: string;
  admin: boolean;
}
