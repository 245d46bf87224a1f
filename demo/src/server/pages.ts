import type express from 'express';
import type { WebBundle } from './web-bundle.js';

const STYLE = `
:root { font-family: system-ui, sans-serif; color: #1b1c20; background: #f4f5f7; }
body { margin: 0; }
header { background: #0f5c4a; color: #fff; padding: 12px 24px; display: flex; gap: 24px; align-items: center; }
header h1 { font-size: 20px; margin: 0; }
nav { display: flex; gap: 4px; flex-wrap: wrap; }
nav a { color: #fff; text-decoration: none; padding: 6px 10px; border-radius: 6px; }
nav a[aria-current="page"] { background: rgb(255 255 255 / 0.2); }
main { max-width: 980px; margin: 24px auto; padding: 0 16px; display: grid; grid-template-columns: 1fr 300px; gap: 24px; }
section, aside > div { background: #fff; border-radius: 10px; padding: 16px 20px; box-shadow: 0 1px 3px rgb(0 0 0 / 0.1); }
aside { display: grid; gap: 16px; align-content: start; }
h2 { margin-top: 0; font-size: 18px; }
label { display: block; margin: 8px 0 4px; }
input, select, button { font: inherit; padding: 6px 10px; }
button { background: #0f5c4a; color: #fff; border: 0; border-radius: 6px; cursor: pointer; margin: 4px 4px 4px 0; }
button.secondary { background: #e3e6ea; color: #1b1c20; }
.verdict { margin-top: 12px; padding: 10px; border-radius: 6px; background: #eef5f2; white-space: pre-wrap; }
.verdict[data-status="denied"], .verdict[data-status="error"] { background: #fdecea; }
.code { font: 600 22px ui-monospace, monospace; letter-spacing: 2px; }
table { width: 100%; border-collapse: collapse; font-size: 13px; }
td, th { text-align: left; border-bottom: 1px solid #e3e6ea; padding: 6px 4px; vertical-align: top; overflow-wrap: anywhere; }
td .muted { font-size: 11px; }
.muted { color: #52555e; font-size: 13px; }
aside > div:empty { display: none; }
.notice { position: fixed; bottom: 16px; right: 16px; background: #1b1c20; color: #fff; padding: 10px 14px; border-radius: 8px; }
/* Phones (390 px): one column, the header wraps, nothing wider than the screen. */
@media (max-width: 760px) {
  header { flex-wrap: wrap; gap: 8px 16px; padding: 12px 16px; }
  main { grid-template-columns: minmax(0, 1fr); margin: 16px auto; }
  section, aside > div { padding: 14px 16px; }
  input, select { max-width: 100%; box-sizing: border-box; }
  .notice { left: 16px; }
}
/* The widget's theme: Acme's green, rounder corners, the page's font. */
step-up-challenge,
step-up-enroll {
  --stepgate-accent: #0f5c4a;
  --stepgate-radius: 14px;
  --stepgate-font: system-ui, sans-serif;
}
step-up-challenge::part(title) {
  letter-spacing: 0.01em;
}
@media (prefers-color-scheme: dark) {
  step-up-challenge,
  step-up-enroll {
    --stepgate-accent: #6fd3b5;
  }
}
`;

/** The bank's logo and name in the dialog's brand slot: the trust cue above the title. */
const BRAND = `<span slot="brand"><svg width="22" height="22" viewBox="0 0 24 24" aria-hidden="true"><path fill="#0f5c4a" d="M12 2 2 7v2h20V7zM4 11v7h3v-7zm6.5 0v7h3v-7zM17 11v7h3v-7zM2 20v2h20v-2z"/></svg>Acme Bank</span>`;

const shell = (title: string, script: string, body: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title><style>${STYLE}</style></head>
<body>${body}<step-up-challenge>${BRAND}</step-up-challenge>
<script type="module" src="/assets/${script}"></script></body></html>`;

/** Serves the two HTML pages and their bundled scripts. */
export function registerPages(app: express.Express, web: WebBundle): void {
  app.get('/', (_req, res) => {
    res.type('html').send(shell('Acme Bank', 'app.js', '<div id="app"></div>'));
  });
  app.get('/embed', (_req, res) => {
    res.type('html').send(shell('Acme Bank — in the app', 'embed.js', '<div id="embed"></div>'));
  });
  app.get('/assets/:name', (req, res) => {
    const js = web.get(req.params.name);
    if (js === undefined) return res.status(404).end();
    res.type('text/javascript').set('cache-control', 'no-cache').send(js);
  });
}
