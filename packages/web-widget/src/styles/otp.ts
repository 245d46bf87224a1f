import { css } from 'lit';

/**
 * The segmented one-time-code field of both elements: one real `<input>` laid over boxes drawn
 * from its value (`.otp > input + .slots > .slot`, the box for the next digit `.next`). The input
 * is transparent, not hidden: it takes focus, typing, paste and autofill; the boxes are
 * `aria-hidden`. One rule per line: the text ships as is in the standalone bundles.
 */
export const otpStyles = css`
.otp { position: relative; }
.otp input { position: absolute; inset: 0; width: 100%; height: 100%; padding: 0; border: 0; opacity: 0; font-size: 16px; }
.slots { display: grid; grid-auto-flow: column; grid-auto-columns: 1fr; gap: 8px; }
.slot { display: grid; place-items: center; height: 3.2em; border: 1px solid var(--_border); border-radius: calc(var(--_radius) * 0.6); background: var(--_bg); font-size: 1.35em; font-weight: 600; font-variant-numeric: tabular-nums; white-space: pre; }
.otp:focus-within .next { outline: 3px solid var(--stepgate-focus, var(--_accent)); outline-offset: 1px; }
`;
