import type { FastifyInstance } from 'fastify';
import type { ChallengeDeps } from '../challenges/challenge-deps.js';
import { ChallengeService } from '../challenges/challenge-service.js';
import { EnrollmentService } from '../enrollment/enrollment-service.js';
import { registerBrowserCors } from './browser-routes.js';
import type { TrustedNetworks } from './client-ip.js';
import type { RouteTable } from './route-table.js';
import { registerChallengeRoutes } from './routes/challenges.js';
import { registerEnrollmentRoutes } from './routes/enrollments.js';
import { registerWebAuthnFeatures } from './webauthn-features.js';

/**
 * Registers CORS for the browser routes, the challenge and enrollment routes, the factor and
 * WebAuthn/device-key registration routes, and — only when
 * the dev sender is configured — `GET /v1/dev/outbox` (S32).
 */
export async function registerChallengeFeatures(
  app: FastifyInstance,
  routes: RouteTable,
  deps: ChallengeDeps,
  options: { origins: string[]; trusted: TrustedNetworks },
): Promise<void> {
  await registerBrowserCors(app, options.origins);
  registerChallengeRoutes(app, routes, {
    challenges: new ChallengeService(deps),
    trusted: options.trusted,
    outbox: deps.senders.outbox,
  });
  registerEnrollmentRoutes(app, routes, new EnrollmentService(deps));
  if (deps.webauthn) registerWebAuthnFeatures(app, routes, deps, deps.webauthn);
}
