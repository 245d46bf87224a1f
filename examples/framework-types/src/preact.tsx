// Preact: the tags type-check with `"types": ["@stepgate/web-widget/types/preact"]` alone.
import type { StepUpInfo } from '@stepgate/protocol';

declare const challenge: StepUpInfo;

export const ok = (
  <div>
    <step-up-challenge
      challenge={challenge}
      theme="light"
      onstep-up-complete={(event) => console.log(event.answer.acr)}
      onstep-up-method-change={(event) => console.log(event.method)}
    />
    <step-up-enroll service-url="/stepgate" ticket="enr_1" onstep-up-error={(e) => e.error.code} />
  </div>
);

// @ts-expect-error theme is 'light' | 'dark'
export const badTheme = <step-up-challenge theme="blue" />;
// @ts-expect-error inline is a boolean
export const badInline = <step-up-challenge inline={3} />;
