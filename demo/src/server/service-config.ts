import { configSchema, type ServiceConfigInput } from '@stepgate/decision-service';

/**
 * The decision service's configuration for the demo: codes go to the dev outbox (the page shows
 * it as the customer's mailbox; never configure `dev` in production, S32), browsers come from
 * the bank's origin, and WebAuthn uses `localhost` as its relying party.
 */
export function serviceConfig(origin: string): ServiceConfigInput {
  const known = configSchema.properties as Record<string, unknown>;
  const config: Record<string, unknown> = { origins: [origin], logLevel: 'warn' };
  if ('senders' in known) config.senders = { email: { type: 'dev' } };
  // The operator console at the service's /console (docs/operators.md "The console").
  if ('console' in known) config.console = { enabled: true };
  if ('webauthn' in known) config.webauthn = { rpId: 'localhost', rpName: 'Acme Bank', origins: [origin] };
  return config as ServiceConfigInput;
}
