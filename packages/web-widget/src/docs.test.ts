import { expect } from '@open-wc/testing';
import './define.js';
import './enroll/define.js';
import { WIDGET_ERROR_CODES } from './errors.js';

interface Declaration {
  tagName?: string;
  attributes?: Array<{ name: string }>;
  events?: Array<{ name: string }>;
}

async function text(path: string): Promise<string> {
  const res = await fetch(path);
  expect(res.ok, path).to.equal(true);
  return res.text();
}

describe('documentation matches the code', () => {
  it('the error-code table of docs/widget.md lists exactly WIDGET_ERROR_CODES', async () => {
    const md = await text('/docs/widget.md');
    const section = md.slice(md.indexOf('### Error codes'), md.indexOf('### Focus'));
    const codes = [...section.matchAll(/^\| `([a-z_]+)` *\|/gm)].map((m) => m[1]);
    expect(codes.sort()).to.deep.equal([...WIDGET_ERROR_CODES].sort());
  });

  it('custom-elements.json lists every observed attribute and every event of both elements', async () => {
    const manifest = JSON.parse(await text('/packages/web-widget/custom-elements.json')) as {
      modules: Array<{ declarations?: Declaration[] }>;
    };
    const find = (tag: string) =>
      manifest.modules.flatMap((m) => m.declarations ?? []).find((d) => d.tagName === tag);
    const expected = {
      'step-up-challenge': ['step-up-cancel', 'step-up-complete', 'step-up-error', 'step-up-method-change'],
      'step-up-enroll': ['step-up-error', 'step-up-factor-added'],
    } as const;
    for (const [tag, events] of Object.entries(expected)) {
      const declaration = find(tag);
      const observed = (customElements.get(tag) as unknown as { observedAttributes: string[] })
        .observedAttributes;
      expect(declaration?.attributes?.map((a) => a.name).sort(), tag).to.deep.equal([...observed].sort());
      expect(declaration?.events?.map((e) => e.name).sort(), tag).to.deep.equal([...events]);
    }
  });

  it('docs/widget.md names every CSS part and custom property of the manifest', async () => {
    const md = await text('/docs/widget.md');
    const manifest = await text('/packages/web-widget/custom-elements.json');
    const parts = new Set([...manifest.matchAll(/"name": "([a-z-]+)"/g)].map((m) => m[1]));
    for (const prop of manifest.matchAll(/"name": "(--stepgate-[a-z-]+)"/g))
      expect(md).to.contain(`\`${prop[1]}\``);
    for (const part of ['submit', 'transaction', 'method-button', 'qr', 'secret', 'expiry']) {
      expect(parts.has(part), part).to.equal(true);
      expect(md).to.contain(`\`${part}\``);
    }
  });
});
