import type { EnrollmentStepUpAnswer, StepUpAnswerBody } from '@stepgate/protocol';
import { formatStepUpChallenge } from '@stepgate/protocol';
import type { Response } from 'express';

/**
 * Answers a `step_up` that did not come from a guard (here: `createEnrollmentTicket` for a user
 * who already has a factor, S31) the way the guards do — 401, RFC 9470 `WWW-Authenticate`, our
 * `stepUp` body — so sdk-core's fetch wrapper runs the widget and retries with the token.
 * (@stepgate/node-client does not export its own answer builder; the demo repeats it.)
 */
export function sendStepUp(res: Response, answer: EnrollmentStepUpAnswer, challengeUrl: string): void {
  const { requirement, challenge } = answer;
  const maxAge = requirement.maxAge;
  const body: StepUpAnswerBody = {
    error: { code: 'insufficient_user_authentication', message: 'Confirm it is you before adding a factor.' },
    stepUp: {
      challengeId: challenge.id,
      challengeUrl,
      acr: requirement.acr,
      ...(maxAge === undefined ? {} : { maxAge }),
      methods: challenge.methods,
      expiresAt: challenge.expiresAt,
    },
  };
  const header = formatStepUpChallenge({
    acr: requirement.acr,
    ...(maxAge === undefined ? {} : { maxAge }),
    challengeId: challenge.id,
  });
  res.status(401).set({ 'www-authenticate': header, 'cache-control': 'no-store' }).json(body);
}
