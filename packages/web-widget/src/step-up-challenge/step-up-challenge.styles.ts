import { css } from 'lit';

/**
 * Layout of `<step-up-challenge>` (one rule per line: the text ships as is); colours come from the
 * theme. The transaction is the centre: the action's label, the amount large, then the fields.
 */
export const styles = css`
:host([inline]) { max-width: var(--stepgate-width, 26rem); }
dialog { width: min(var(--stepgate-width, 26rem), calc(100vw - 1.5rem)); max-width: none; max-height: calc(100dvh - 1.5rem); padding: 0; border: 0; border-radius: var(--_radius); background: none; color: inherit; box-shadow: var(--_shadow); overflow: auto; }
dialog::backdrop { background: var(--stepgate-backdrop, rgb(10 12 20 / 0.55)); }
@media (prefers-reduced-motion: no-preference) { dialog[open] { animation: in 0.18s ease-out; } [part~='success'] .tick { animation: in 0.25s ease-out; } }
@keyframes in { from { transform: translateY(8px) scale(0.98); } }
header { display: grid; gap: 6px; justify-items: center; text-align: center; }
::slotted([slot='brand']) { display: flex; align-items: center; gap: 8px; font-weight: 600; color: var(--_muted); }
[part~='transaction'] { display: grid; gap: 6px; padding: var(--_gap); background: var(--_surface); border-radius: calc(var(--_radius) * 0.8); text-align: center; }
[part~='transaction-title'] { font-size: 0.8em; font-weight: 600; letter-spacing: 0.06em; text-transform: uppercase; color: var(--_muted); }
[part~='action'] { font-weight: 600; }
[part~='amount'] { font-size: 2em; font-weight: 700; line-height: 1.15; font-variant-numeric: tabular-nums; overflow-wrap: anywhere; }
dl { display: grid; gap: 4px; padding-top: 6px; border-top: 1px solid var(--_border); text-align: start; }
dl > div { display: flex; justify-content: space-between; gap: 1em; }
dt { color: var(--_muted); }
dd { margin: 0; font-weight: 600; text-align: end; overflow-wrap: anywhere; }
fieldset { display: grid; gap: 8px; padding: 0; border: 0; min-width: 0; }
legend { padding: 0; margin-bottom: 8px; font-weight: 600; }
.methods { display: grid; gap: 8px; }
[part~='method-button'] { display: grid; gap: 2px; text-align: start; padding: 0.7em 1em; }
[part~='method-button'] .muted, [part~='method-lock'] { font-weight: 400; font-size: 0.9em; }
[part~='method-lock'] { color: var(--_danger); }
form, [part~='webauthn'], [part~='body'] { display: grid; gap: var(--_gap); }
[part~='destination'] { text-align: center; }
[part~='label'] { font-weight: 600; }
.check { display: flex; align-items: center; gap: 8px; }
.check input { min-height: 0; width: 1.1em; height: 1.1em; }
[part~='success'] { display: grid; justify-items: center; gap: 8px; font-weight: 600; color: var(--_success); }
.tick { position: relative; width: 44px; height: 44px; border-radius: 50%; background: var(--_success); }
.tick::after { content: ''; position: absolute; left: 16px; top: 9px; width: 9px; height: 18px; border: solid var(--_bg); border-width: 0 4px 4px 0; transform: rotate(45deg); }
[part~='expiry'] { text-align: center; font-size: 0.9em; font-variant-numeric: tabular-nums; }
footer { display: grid; gap: 8px; }
`;
