// React 19: the tags type-check with `"types": ["@stepgate/web-widget/types/react"]` alone.
import type { StepUpInfo } from '@stepgate/protocol';

declare const challenge: StepUpInfo;

export const ok = (
  <>
    <step-up-challenge
      challenge={challenge}
      theme="dark"
      rememberDevice
      messages={{ title: 'Confirm the transfer' }}
      onstep-up-complete={(event) => console.log(event.answer.token, event.method)}
      onstep-up-cancel={(event) => event.preventDefault()}
      onstep-up-error={(event) => console.log(event.error.code)}
    />
    <step-up-challenge service-url="/stepgate" challenge-id="chl_1" inline />
    <step-up-enroll serviceUrl="/stepgate" ticket="enr_1" onstep-up-factor-added={(e) => e.factor.method} />
  </>
);

// @ts-expect-error theme is 'light' | 'dark'
export const badTheme = <step-up-challenge theme="blue" />;
// @ts-expect-error no such property
export const unknownProp = <step-up-challenge challengeUri="x" />;
// @ts-expect-error StepUpCompleteEvent has no `factor`
export const badEvent = <step-up-challenge onstep-up-complete={(event) => event.factor} />;
