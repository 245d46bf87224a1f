/**
 * The styling surface shared by both elements: `--stepgate-*` custom properties (documented in
 * docs/widget.md with their defaults), light and dark defaults (`prefers-color-scheme` unless
 * the `theme` attribute says `light` or `dark`), and the base look of controls: 44 px targets,
 * one primary button per step, secondary actions as links. One rule per line, no blank lines:
 * the CSS text ships as is in the standalone bundle (budget: 15 KiB gzip, a test guards it).
 */
import { css } from 'lit';

const dark = css`
--_bg: var(--stepgate-bg, #17181c); --_fg: var(--stepgate-fg, #f1f2f4); --_muted: var(--stepgate-muted, #b9bcc4);
--_accent: var(--stepgate-accent, #8fb4ff); --_accent-fg: var(--stepgate-accent-fg, #0b1020);
--_danger: var(--stepgate-danger, #ff9b8f); --_success: var(--stepgate-success, #7ee2a8); --_border: var(--stepgate-border, #4a4d57);
--_surface: var(--stepgate-surface, #23252b); --_shadow: var(--stepgate-shadow, 0 24px 64px rgb(0 0 0 / 0.6)); color-scheme: dark;`;

export const theme = css`
:host { --_bg: var(--stepgate-bg, #fff); --_fg: var(--stepgate-fg, #1b1c20); --_muted: var(--stepgate-muted, #52555e);
--_accent: var(--stepgate-accent, #1d4ed8); --_accent-fg: var(--stepgate-accent-fg, #fff);
--_danger: var(--stepgate-danger, #b42318); --_success: var(--stepgate-success, #067647); --_border: var(--stepgate-border, #c4c7cf);
--_surface: var(--stepgate-surface, #f4f5f7); --_radius: var(--stepgate-radius, 14px); --_gap: var(--stepgate-gap, 14px);
--_shadow: var(--stepgate-shadow, 0 24px 64px rgb(16 24 40 / 0.22));
display: block; color-scheme: light; font: var(--stepgate-font-size, 15px)/1.45 var(--stepgate-font, system-ui, sans-serif); }
@media (prefers-color-scheme: dark) { :host(:not([theme='light'])) { ${dark} } }
:host([theme='dark']) { ${dark} }
[part~='base'] { display: grid; gap: var(--_gap); padding: calc(var(--_gap) * 1.7); color: var(--_fg); background: var(--_bg); border: 1px solid var(--_border); border-radius: var(--_radius); }
h2, h3, p, dl, fieldset { margin: 0; }
h2 { font-size: 1.3em; line-height: 1.25; }
h3 { font-size: 1em; }
button, input { font: inherit; color: inherit; border: 1px solid var(--_border); border-radius: calc(var(--_radius) * 0.6); padding: 0.6em 1em; min-height: 44px; }
button { background: var(--_surface); cursor: pointer; font-weight: 600; }
button[part~='submit'] { background: var(--_accent); color: var(--_accent-fg); border-color: var(--_accent); }
button:disabled { cursor: default; opacity: 0.7; }
button.link { justify-self: center; min-height: 44px; border: 0; background: none; color: var(--_accent); font-weight: 500; text-decoration: underline; text-underline-offset: 3px; }
button.link:disabled { color: var(--_muted); text-decoration: none; opacity: 1; }
input { background: var(--_bg); }
:focus-visible { outline: 3px solid var(--stepgate-focus, var(--_accent)); outline-offset: 2px; }
label { display: grid; gap: 4px; }
.row { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; }
.muted { color: var(--_muted); }
[part~='error'] { color: var(--_danger); }
[part~='error']:empty { display: none; }
@media (prefers-reduced-motion: no-preference) { button { transition: filter 0.15s; } button:hover:not(:disabled) { filter: brightness(1.08); } }
`;
