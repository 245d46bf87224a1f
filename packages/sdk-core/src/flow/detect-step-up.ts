/**
 * Recognises a step-up answer: status 401 (or 403, which Clerk uses) with an RFC 9470
 * `WWW-Authenticate` challenge and/or a JSON body, parsed by the protocol package.
 */
import type { ProviderStepUp, StepUpInfo } from '@stepgate/protocol';
import { type ParsedStepUpChallenge, parseStepUpChallenge } from '@stepgate/protocol';

/** A recognised step-up answer. */
export type StepUpAnswer =
  | { kind: 'stepgate'; challenge: StepUpInfo; parsed: ParsedStepUpChallenge }
  | { kind: 'idp'; providers: ProviderStepUp[]; parsed: ParsedStepUpChallenge }
  | { kind: 'foreign'; parsed: ParsedStepUpChallenge };

const MAX_BODY_BYTES = 64 * 1024;

async function readJson(response: Response): Promise<unknown> {
  const type = response.headers.get('Content-Type') ?? '';
  if (!/\bjson\b/i.test(type)) return undefined;
  const length = Number(response.headers.get('Content-Length') ?? '0');
  if (length > MAX_BODY_BYTES) return undefined;
  try {
    return await response.clone().json();
  } catch {
    return undefined;
  }
}

/** A `StepUpInfo` from the header alone: the widget reads methods and expiry from the challenge view. */
function fromHeader(
  parsed: ParsedStepUpChallenge,
  requestUrl: string,
  prefix: string,
): StepUpInfo | undefined {
  const id = parsed.challengeId;
  if (!id || !/^[\w-]{1,128}$/.test(id)) return undefined;
  const info: StepUpInfo = {
    challengeId: id,
    challengeUrl: `${new URL(requestUrl).origin}${prefix}/v1/challenges/${encodeURIComponent(id)}`,
    acr: parsed.acrValues[0] ?? '',
    methods: [],
    expiresAt: '',
  };
  if (parsed.maxAge !== undefined) info.maxAge = parsed.maxAge;
  return info;
}

/**
 * Tells whether `response` is a step-up answer, and in which dialect. Reads a clone of the
 * body, so the response stays usable.
 *
 * @returns `undefined` for anything that is not a step-up answer.
 */
export async function detectStepUp(
  response: Response,
  requestUrl: string,
  challengePrefix: string,
): Promise<StepUpAnswer | undefined> {
  if (response.status !== 401 && response.status !== 403) return undefined;
  const parsed = parseStepUpChallenge(response.headers.get('WWW-Authenticate'), await readJson(response));
  if (!parsed) return undefined;
  if (parsed.dialect !== 'stepgate') {
    // Ours, when only identity providers perform the step-up: a plain RFC 9470 challenge with `providers`.
    const providers = parsed.providers;
    return providers !== undefined && providers.length > 0
      ? { kind: 'idp', providers, parsed }
      : { kind: 'foreign', parsed };
  }
  const challenge = parsed.stepUp ?? fromHeader(parsed, requestUrl, challengePrefix);
  return challenge ? { kind: 'stepgate', challenge, parsed } : undefined;
}
