import { createStepgate } from '@stepgate/node-client';
import { type StepgateFetch, stepgateFetch } from '@stepgate/node-client/fetch';

let guards: StepgateFetch | undefined;

/**
 * Guards and the challenge proxy for route handlers, created on the first request: `next build`
 * loads the route modules without the service's URL and key, which come from the environment
 * at run time.
 */
export function stepgate(): StepgateFetch {
  guards ??= stepgateFetch(
    createStepgate({
      serviceUrl: process.env.STEPGATE_URL ?? 'http://127.0.0.1:8787',
      apiKey: process.env.STEPGATE_API_KEY ?? '',
    }),
    {
      getSubject: (request) => {
        // Your session: here a cookie stands in for it. No user → 401, the service is not asked.
        const userId = /(?:^|;\s*)sample-user=([^;]+)/.exec(request.headers.get('cookie') ?? '')?.[1];
        return userId ? { id: userId, sessionId: `sess-${userId}`, acr: 'aal1' } : null;
      },
    },
  );
  return guards;
}
