// Solid: the tags type-check with `"types": ["@stepgate/web-widget/types/solid"]` alone.
import type { StepUpInfo } from '@stepgate/protocol';

declare const challenge: StepUpInfo;

export const ok = (
  <div>
    <step-up-challenge
      prop:challenge={challenge}
      theme="dark"
      on:step-up-complete={(event) => console.log(event.answer.token)}
      on:step-up-cancel={(event) => event.preventDefault()}
    />
    <step-up-enroll serviceUrl="/stepgate" ticket="enr_1" on:step-up-factor-added={(e) => e.factor.label} />
  </div>
);

// @ts-expect-error theme is 'light' | 'dark'
export const badTheme = <step-up-challenge theme="blue" />;
// @ts-expect-error StepUpCompleteEvent has no `factor`
export const badEvent = <step-up-challenge on:step-up-complete={(event) => event.factor} />;
