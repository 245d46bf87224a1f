/**
 * Finds a Stepgate step-up answer in what a fetcher produced: a `Response` it returned, an error it
 * threw that carries one (`error.response`, as ky's `HTTPError` does), or the JSON body itself (a
 * Next.js server action or an RPC client that returns or throws the parsed body). Read with the
 * protocol's parser (RFC 9470 header and our `stepUp` body member; docs/design/wire-contract.md).
 */
import { parseStepUpChallenge, type StepUpInfo } from '@stepgate/protocol';

const MAX_BODY_BYTES = 64 * 1024;

async function jsonOf(response: Response): Promise<unknown> {
  if (!/\bjson\b/i.test(response.headers.get('content-type') ?? '')) return undefined;
  if (Number(response.headers.get('content-length') ?? '0') > MAX_BODY_BYTES) return undefined;
  try {
    // A clone: the fetcher's caller still gets an unread response when this is no step-up.
    return await response.clone().json();
  } catch {
    return undefined;
  }
}

function fromResponse(response: Response, body: unknown, challengePrefix: string): StepUpInfo | undefined {
  if (response.status !== 401 && response.status !== 403) return undefined;
  const parsed = parseStepUpChallenge(response.headers.get('www-authenticate'), body);
  if (parsed?.dialect !== 'stepgate') return undefined;
  if (parsed.stepUp) return parsed.stepUp;
  // Header only: the challenge proxy of the app's origin serves it (as sdk-core's fetch wrapper does).
  const id = parsed.challengeId;
  if (!id || !/^[\w-]{1,128}$/.test(id) || !response.url) return undefined;
  const info: StepUpInfo = {
    challengeId: id,
    challengeUrl: `${new URL(response.url).origin}${challengePrefix}/v1/challenges/${id}`,
    acr: parsed.acrValues[0] ?? '',
    methods: [],
    expiresAt: '',
  };
  if (parsed.maxAge !== undefined) info.maxAge = parsed.maxAge;
  return info;
}

/**
 * The Stepgate challenge in a fetcher's outcome, if it is a step-up answer.
 * Other providers' dialects (Entra, Okta, Auth0, Clerk) are not ours to run: `undefined`.
 */
export async function findStepUp(outcome: unknown, challengePrefix: string): Promise<StepUpInfo | undefined> {
  if (outcome instanceof Response) return fromResponse(outcome, await jsonOf(outcome), challengePrefix);
  if (typeof outcome !== 'object' || outcome === null) return undefined;
  const carried = (outcome as { response?: unknown }).response;
  if (carried instanceof Response) return fromResponse(carried, await jsonOf(carried), challengePrefix);
  if (!('stepUp' in outcome)) return undefined;
  const parsed = parseStepUpChallenge(null, outcome);
  return parsed?.dialect === 'stepgate' ? parsed.stepUp : undefined;
}
