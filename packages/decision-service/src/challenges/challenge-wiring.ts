import type { Logger } from 'pino';
import type { ServiceConfig } from '../config/service-config.js';
import { logCensored } from '../logging/logger.js';
import type { ServiceMetrics } from '../metrics/service-metrics.js';
import type { PolicyHolder } from '../policies/policy-holder.js';
import type { Sealer } from '../secrets/sealer.js';
import type { Senders } from '../senders/create-senders.js';
import type { Sender } from '../senders/sender.js';
import type { ChallengeStore } from '../stores/challenge-store.js';
import type { Store } from '../stores/store.js';
import type { TokenService } from '../tokens/token-service.js';
import type { ChallengeDeps } from './challenge-deps.js';
import type { ChallengeEventSink } from './challenge-events.js';
import type { ChallengeSettings, EnrollmentSettings } from './challenge-settings.js';
import type { WebAuthnContext } from './webauthn.js';

/** What {@link buildChallengeDeps} takes from the running service. */
export interface ChallengeWiring {
  config: Pick<ServiceConfig, 'acrValues'> & {
    challenges: ChallengeSettings;
    enrollment: EnrollmentSettings;
  };
  store: Store;
  challengeStore: ChallengeStore;
  sealer: Sealer;
  tokens: TokenService;
  senders: Senders;
  policies: PolicyHolder;
  log: Logger;
  now: () => number;
  /** The audit log; every event is also written to the log. */
  audit?: ChallengeEventSink | undefined;
  /** WebAuthn and device-key state (methods `webauthn`, `biometric`). */
  webauthn?: WebAuthnContext | undefined;
  /** Challenge and sender metrics (`/metrics`). */
  metrics?: ServiceMetrics | undefined;
}

/** The senders, each failed `send` counted in `stepgate_sender_failures_total`. */
function countedSenders(senders: Senders, metrics: ServiceMetrics | undefined): Senders {
  if (!metrics) return senders;
  const wrap = (sender: Sender | undefined, channel: 'email' | 'sms'): Sender | undefined => {
    if (!sender) return undefined;
    return {
      kind: sender.kind,
      send: async (message) => {
        try {
          await sender.send(message);
        } catch (error) {
          metrics.senderFailures.inc({ channel, sender: sender.kind });
          throw error;
        }
      },
    };
  };
  const out: Senders = { ...senders, close: () => senders.close() };
  const email = wrap(senders.email, 'email');
  const sms = wrap(senders.sms, 'sms');
  if (email) out.email = email;
  if (sms) out.sms = sms;
  return out;
}

/**
 * The dependencies of the challenge and enrollment services, from the service's parts. Method
 * levels are read from the policies in force at each use, so a reload applies at once. Events go
 * to the audit log (when given; its failure fails the step) and to the log.
 */
export function buildChallengeDeps(w: ChallengeWiring): ChallengeDeps {
  return {
    store: w.store,
    challenges: w.challengeStore,
    sealer: w.sealer,
    tokens: w.tokens,
    senders: countedSenders(w.senders, w.metrics),
    events: {
      async append(event) {
        logCensored(w.log, { event }, event.type);
        await w.audit?.append(event);
        w.metrics?.observeChallengeEvent(event, w.now());
      },
    },
    settings: w.config.challenges,
    enrollment: w.config.enrollment,
    acrValues: w.config.acrValues,
    methodLevels: () => w.policies.current.methodLevels,
    actionLabel: (action) => w.policies.current.actionLabels[action],
    now: w.now,
    log: w.log,
    ...(w.webauthn === undefined ? {} : { webauthn: w.webauthn }),
  };
}
