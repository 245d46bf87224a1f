import { StepgateError } from '@stepgate/protocol';

/**
 * A store that does not answer (PostgreSQL or Redis down, a connection lost mid-request). The
 * HTTP layer answers `503 service_unavailable`: every decision fails closed, never allows.
 */
export class StoreUnavailableError extends StepgateError {
  override readonly name = 'StoreUnavailableError';

  constructor(store: string, cause: unknown) {
    super('service_unavailable', `the ${store} store does not answer`, { cause });
  }
}
