import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const demoDir = fileURLToPath(new URL('..', import.meta.url));

/**
 * The widget README tells apps to `import '@stepgate/web-widget'` for its side effect (defining the
 * element). A bundler honours package.json `sideEffects`, so the entry modules must be listed
 * there, or the import is silently dropped and the element never exists.
 */
describe('a bare import of the widget in an app bundle', () => {
  for (const [entry, tag] of [
    ['@stepgate/web-widget', 'step-up-challenge'],
    ['@stepgate/web-widget/enroll', 'step-up-enroll'],
  ] as const) {
    it(`keeps ${entry} and defines <${tag}>`, async () => {
      const result = await build({
        stdin: { contents: `import '${entry}';`, resolveDir: demoDir, loader: 'ts' },
        bundle: true,
        write: false,
        format: 'esm',
        platform: 'browser',
        conditions: ['source'],
        logLevel: 'silent',
      });
      expect(result.warnings.map((w) => w.text)).toEqual([]);
      const code = result.outputFiles[0]?.text ?? '';
      expect(code).toContain(`"${tag}"`);
      expect(code).toMatch(/customElements\.define\(/);
    });
  }
});
