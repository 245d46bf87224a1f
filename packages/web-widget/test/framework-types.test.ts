/**
 * The framework type files and editor data (types/*.generated.d.ts, vscode.*-custom-data.json,
 * web-types.json) are generated from custom-elements.json by scripts/framework-types.mjs, in
 * `build` and `manifest`. The files in the package must be what the generator makes from the
 * manifest now, and name every tag, attribute, event, slot, part and custom property it lists.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
// @ts-expect-error scripts/framework-types.mjs is plain JS without types
import { FRAMEWORKS, generatedFiles } from '../scripts/framework-types.mjs';

const pkgDir = fileURLToPath(new URL('..', import.meta.url));
const read = (path: string) => readFileSync(`${pkgDir}${path}`, 'utf8');
const json = <T>(path: string) => JSON.parse(read(path)) as T;

interface Named {
  name: string;
}
interface Declaration {
  tagName?: string;
  customElement?: boolean;
  attributes?: Named[];
  events?: Named[];
  slots?: Named[];
  cssParts?: Named[];
  cssProperties?: Named[];
}
const manifest = json<{ modules: Array<{ declarations?: Declaration[] }> }>('custom-elements.json');
const elements = manifest.modules.flatMap((m) => (m.declarations ?? []).filter((d) => d.customElement));
const pkg = json<{ files: string[]; 'web-types': string; exports: Record<string, unknown> }>('package.json');

/** How each framework's templates name a listener of `event`. */
function eventProp(framework: string, event: string): string {
  if (framework === 'solid') return `on:${event}`;
  if (framework === 'vue')
    return `on${event.replace(/(^|-)([a-z])/g, (_, _d, c: string) => c.toUpperCase())}`;
  return `on${event}`;
}

describe('generated from custom-elements.json', () => {
  it('every generated file on disk is what the generator makes from the current manifest (run `pnpm --filter @stepgate/web-widget manifest` after changing an element)', async () => {
    const files = (await generatedFiles()) as Map<string, string>;
    expect([...files.keys()].sort()).toEqual(
      [
        ...(FRAMEWORKS as string[]).map((f) => `types/${f}.generated.d.ts`),
        'vscode.css-custom-data.json',
        'vscode.html-custom-data.json',
        'web-types.json',
      ].sort(),
    );
    for (const [path, text] of files) expect(read(path), path).toBe(text);
  });

  it('package.json ships them: exports ./types/<framework>, web-types field, files', () => {
    for (const f of FRAMEWORKS as string[]) {
      expect(pkg.exports[`./types/${f}`]).toEqual({ types: `./types/${f}.generated.d.ts` });
    }
    expect(pkg['web-types']).toBe('./web-types.json');
    expect(pkg.files).toEqual(
      expect.arrayContaining([
        'types',
        'web-types.json',
        'vscode.html-custom-data.json',
        'vscode.css-custom-data.json',
      ]),
    );
  });

  it('web-types.json and vscode.html-custom-data.json list each element with its attributes; web-types also its events, slots and CSS custom properties', () => {
    const webTypes = json<{
      contributions: {
        html: { elements: Array<Named & { attributes: Named[]; events: Named[]; slots: Named[] }> };
        css: { properties: Named[] };
      };
    }>('web-types.json');
    const vscode = json<{ tags: Array<Named & { attributes: Named[] }> }>('vscode.html-custom-data.json');
    const names = (list: Named[] | undefined) => (list ?? []).map((x) => x.name).sort();
    for (const el of elements) {
      const inWebTypes = webTypes.contributions.html.elements.find((e) => e.name === el.tagName);
      const inVsCode = vscode.tags.find((t) => t.name === el.tagName);
      expect(inWebTypes, el.tagName).toBeDefined();
      expect(inVsCode, el.tagName).toBeDefined();
      expect(names(inWebTypes!.attributes)).toEqual(names(el.attributes));
      expect(names(inVsCode!.attributes)).toEqual(names(el.attributes));
      expect(names(inWebTypes!.events)).toEqual(names(el.events));
      expect(names(inWebTypes!.slots)).toEqual(names(el.slots));
    }
    const properties = new Set(elements.flatMap((e) => names(e.cssProperties)));
    expect(new Set(names(webTypes.contributions.css.properties))).toEqual(properties);
  });

  it.each(FRAMEWORKS as string[])(
    'types/%s.generated.d.ts declares every tag with every attribute and event',
    (framework) => {
      const text = read(`types/${framework}.generated.d.ts`);
      for (const el of elements) {
        expect(text).toContain(`'${el.tagName}':`);
        for (const a of el.attributes ?? []) {
          if (a.name !== 'lang')
            expect(text, `${el.tagName} ${a.name}`).toMatch(new RegExp(`\\b${a.name}'?\\?:`));
        }
        for (const e of el.events ?? [])
          expect(text, `${el.tagName} ${e.name}`).toContain(`'${eventProp(framework, e.name)}'?:`);
      }
    },
  );
});
