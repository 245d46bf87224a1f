import { expect } from '@open-wc/testing';
import ky from 'ky';
import { HttpResponse, http } from 'msw';
import { challenge, startWorker, stepUpResponse, verifyAnswer, worker } from '../test/fixtures.js';
import { setStepUpHandler } from './index.js';

/** The README's code blocks under a heading. */
async function readmeBlock(heading: string, lang: string): Promise<string> {
  const readme = await (await fetch(new URL('../README.md', import.meta.url))).text();
  const section = readme.slice(readme.indexOf(heading));
  const start = section.indexOf(`\`\`\`${lang}\n`) + lang.length + 4;
  return section.slice(start, section.indexOf('```', start));
}

/** Runs a README example as a module, with the package imports pointing at the sources. */
async function runExample(code: string, replacements: Record<string, string>): Promise<void> {
  let source = code;
  for (const [from, to] of Object.entries(replacements)) source = source.replaceAll(from, to);
  const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
  try {
    await import(/* @vite-ignore */ url);
  } finally {
    URL.revokeObjectURL(url);
  }
}

describe('README examples run', () => {
  before(startWorker);
  afterEach(() => {
    worker.resetHandlers();
    setStepUpHandler(null);
  });

  it('the fetch example: step-up, one retry, the JSON answer logged', async () => {
    const tokens: (string | null)[] = [];
    worker.use(
      http.post('/api/transfer', ({ request }) => {
        tokens.push(request.headers.get('Step-Up-Token'));
        return request.headers.get('Step-Up-Token') === 'tok_readme'
          ? HttpResponse.json({ transferred: 900 })
          : stepUpResponse(challenge('chl_readme'));
      }),
    );
    // Stands in for the widget, which the example imports to register itself.
    setStepUpHandler(async () => verifyAnswer('tok_readme'));
    const logged: unknown[] = [];
    const log = console.log;
    console.log = (...args: unknown[]) => logged.push(...args);
    try {
      const code = await readmeBlock('## Example: fetch', 'ts');
      expect(code).to.include("import '@stepgate/web-widget';");
      await runExample(code, {
        "import '@stepgate/web-widget';": '',
        "'@stepgate/sdk-core'": JSON.stringify(new URL('./index.ts', import.meta.url).href),
      });
    } finally {
      console.log = log;
    }
    expect(tokens).to.deep.equal([null, 'tok_readme']);
    expect(logged).to.deep.equal([{ transferred: 900 }]);
  });

  it('the ky example: step-up through the hooks, one ky.retry()', async () => {
    const bodies: { token: string | null; body: string }[] = [];
    worker.use(
      http.post('/api/transfer', async ({ request }) => {
        const token = request.headers.get('Step-Up-Token');
        bodies.push({ token, body: await request.text() });
        return token === 'tok_readme_ky'
          ? HttpResponse.json({ ok: true })
          : stepUpResponse(challenge('chl_readme_ky'));
      }),
    );
    setStepUpHandler(async () => verifyAnswer('tok_readme_ky'));
    // The example's own ky import, handed over so that ky.retry() is the same module instance.
    (globalThis as unknown as { __readmeKy: typeof ky }).__readmeKy = ky;
    const code = await readmeBlock('## Example: ky', 'ts');
    await runExample(code, {
      "import ky from 'ky';": 'const ky = globalThis.__readmeKy;',
      "'@stepgate/sdk-core/ky'": JSON.stringify(new URL('./ky.ts', import.meta.url).href),
    });
    expect(bodies).to.deep.equal([
      { token: null, body: '{"amount":900}' },
      { token: 'tok_readme_ky', body: '{"amount":900}' },
    ]);
  });
});
