import { css } from 'lit';

/** Layout of `<step-up-challenge>` (one rule per line: the text ships as is); colours come from the theme. */
export const styles = css`
:host([inline]) { max-width: var(--stepgate-width, 26rem); }
dialog { width: min(var(--stepgate-width, 26rem), calc(100vw - 2rem)); max-width: none; padding: 0; border: 0; background: none; color: inherit; }
dialog::backdrop { background: var(--stepgate-backdrop, rgb(0 0 0 / 0.55)); }
header, dl > div { display: flex; justify-content: space-between; align-items: center; gap: 1em; }
[part~='transaction'] { display: grid; gap: 6px; padding: var(--_gap); background: var(--_surface); border-radius: calc(var(--_radius) * 0.8); }
dt { color: var(--_muted); }
dd { margin: 0; font-weight: 600; text-align: end; overflow-wrap: anywhere; }
fieldset { display: grid; gap: 8px; padding: 0; border: 0; }
legend { padding: 0; margin-bottom: 8px; font-weight: 600; }
.methods { display: grid; gap: 8px; }
[part~='method-button'] { display: grid; text-align: start; }
[part~='method-lock'] { color: var(--_danger); font-size: 0.9em; }
form, [part~='webauthn'], [part~='body'] { display: grid; gap: var(--_gap); }
input[name='code'] { font-size: 1.4em; letter-spacing: 0.2em; font-variant-numeric: tabular-nums; }
[part~='switch'] { justify-self: start; border: 0; background: none; padding: 0; color: var(--_accent); text-decoration: underline; }
[part~='success'] { font-weight: 600; }
`;
