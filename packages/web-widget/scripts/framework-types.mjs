#!/usr/bin/env node
// Framework and editor files generated from custom-elements.json (`pnpm manifest` and `build`
// run it; test/framework-types.test.ts checks the files on disk match what it generates):
//   types/{react,preact,solid,vue,svelte}.generated.d.ts  JSX and template types for the tags
//   vscode.html-custom-data.json, vscode.css-custom-data.json  VS Code HTML/CSS custom data
//   web-types.json                                   JetBrains web-types (package.json "web-types")
// The tag types are our own small generator: the wc-toolkit generators (custom-element-jsx-,
// -vuejs-, -svelte-integration) emit duplicate imports, `Element["undefined"]` for attributes
// without a field and `CustomEvent<…>` for our Event subclasses, and leave the module
// augmentation to the user. The editor files come from the wc-toolkit's VS Code and JetBrains
// generators, which fit.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkgDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const HEADER = '// Generated from custom-elements.json by scripts/framework-types.mjs: do not edit.\n';

/** Each framework: the module it augments, and how it writes events and element props. */
export const FRAMEWORKS = ['react', 'preact', 'solid', 'vue', 'svelte'];

const camel = (kebab) => kebab.replace(/-([a-z])/g, (_, c) => c.toUpperCase());
const pascal = (kebab) => camel(kebab).replace(/^[a-z]/, (c) => c.toUpperCase());
const doc = (text, indent) =>
  text ? `${indent}/** ${text.replace(/\*\//g, '*\\/').replace(/\n/g, `\n${indent} * `)} */\n` : '';

/** The custom elements of the manifest, with where each class and event type is exported from. */
export function elementsOf(manifest, pkg) {
  const subpathOf = {};
  for (const [subpath, target] of Object.entries(pkg.exports)) {
    if (typeof target === 'object' && target.source) subpathOf[target.source.replace(/^\.\//, '')] = subpath;
  }
  const exportedFrom = new Map();
  for (const mod of manifest.modules) {
    const subpath = subpathOf[mod.path];
    if (!subpath) continue;
    for (const e of mod.exports ?? []) {
      if (!exportedFrom.has(e.name))
        exportedFrom.set(e.name, pkg.name + (subpath === '.' ? '' : subpath.slice(1)));
    }
  }
  const from = (name) => {
    const where = exportedFrom.get(name);
    if (!where) throw new Error(`${name} is not exported from any entry of ${pkg.name}`);
    return where;
  };
  return manifest.modules.flatMap((mod) =>
    (mod.declarations ?? [])
      .filter((d) => d.customElement && d.tagName)
      .map((d) => ({
        tag: d.tagName,
        className: d.name,
        description: d.summary ?? d.description ?? '',
        classFrom: from(d.name),
        props: (d.members ?? [])
          .filter((m) => m.kind === 'field' && !m.readonly && !m.static && m.privacy !== 'private')
          .map((m) => ({
            name: m.name,
            description:
              m.description ?? (d.attributes ?? []).find((a) => a.fieldName === m.name)?.description ?? '',
          })),
        attributes: (d.attributes ?? [])
          .filter((a) => a.fieldName && a.fieldName !== a.name)
          .map((a) => ({ name: a.name, field: a.fieldName, description: a.description ?? '' })),
        events: (d.events ?? []).map((e) => ({
          name: e.name,
          type: e.type?.text ?? 'Event',
          typeFrom: e.type?.text ? from(e.type.text) : undefined,
          description: e.description ?? '',
        })),
      })),
  );
}

function imports(elements) {
  const byModule = new Map();
  const add = (name, where) => {
    if (!where) return;
    if (!byModule.has(where)) byModule.set(where, new Set());
    byModule.get(where).add(name);
  };
  for (const el of elements) {
    add(el.className, el.classFrom);
    for (const e of el.events) add(e.type, e.typeFrom);
  }
  return [...byModule]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([where, names]) => `import type { ${[...names].sort().join(', ')} } from '${where}';`)
    .join('\n');
}

/** The element's own props: properties, kebab-case attributes, and events as `eventProp(name)`. */
function ownProps(el, eventProp, extra = () => []) {
  const lines = [];
  for (const p of el.props)
    lines.push(`${doc(p.description, '  ')}  ${p.name}?: ${el.className}['${p.name}'];`);
  for (const a of el.attributes) {
    lines.push(`${doc(a.description, '  ')}  '${a.name}'?: ${el.className}['${a.field}'];`);
  }
  for (const e of el.events) {
    lines.push(`${doc(e.description, '  ')}  '${eventProp(e.name)}'?: (event: ${e.type}) => void;`);
  }
  lines.push(...extra(el));
  return lines.join('\n');
}

const propsName = (el, suffix) => `${pascal(el.tag)}${suffix}`;

/** The `.d.ts` text for one framework. */
export function frameworkTypes(framework, elements) {
  const head = `${HEADER}${imports(elements)}\n`;
  const iface = (el, suffix, eventProp, extra) =>
    `${doc(`Props of \`<${el.tag}>\`. ${el.description}`.trim(), '')}export interface ${propsName(el, suffix)} {\n${ownProps(el, eventProp, extra)}\n}\n`;
  switch (framework) {
    case 'react':
      // React 19 sets a prop as a property when the element has it, and `on<event>` listens to <event>.
      return `${head}import type { DetailedHTMLProps, HTMLAttributes } from 'react';

${elements.map((el) => iface(el, 'ReactProps', (n) => `on${n}`)).join('\n')}
declare module 'react' {
  namespace JSX {
    interface IntrinsicElements {
${elements.map((el) => `      '${el.tag}': DetailedHTMLProps<HTMLAttributes<${el.className}>, ${el.className}> & ${propsName(el, 'ReactProps')};`).join('\n')}
    }
  }
}
`;
    case 'preact':
      // Preact sets a prop as a property when the element has it; `on<event>` listens to <event>.
      return `${head}import type { JSX } from 'preact';

${elements.map((el) => iface(el, 'PreactProps', (n) => `on${n}`)).join('\n')}
declare module 'preact' {
  namespace JSX {
    interface IntrinsicElements {
${elements.map((el) => `      '${el.tag}': JSX.HTMLAttributes<${el.className}> & ${propsName(el, 'PreactProps')};`).join('\n')}
    }
  }
}
`;
    case 'solid':
      // Solid: `on:<event>` for a custom event, `prop:<name>` to force a property.
      return `${head}import type { JSX } from 'solid-js';

${elements
  .map((el) =>
    iface(
      el,
      'SolidProps',
      (n) => `on:${n}`,
      (e) => e.props.map((p) => `  'prop:${p.name}'?: ${e.className}['${p.name}'];`),
    ),
  )
  .join('\n')}
declare module 'solid-js' {
  namespace JSX {
    interface IntrinsicElements {
${elements.map((el) => `      '${el.tag}': JSX.HTMLAttributes<${el.className}> & ${propsName(el, 'SolidProps')};`).join('\n')}
    }
  }
}
`;
    case 'vue':
      // Volar types template tags from GlobalComponents; `@step-up-complete` is the prop `onStepUpComplete`.
      return `${head}import type { DefineComponent } from 'vue';

${elements.map((el) => iface(el, 'VueProps', (n) => `on${pascal(n)}`)).join('\n')}
declare module 'vue' {
  interface GlobalComponents {
${elements.map((el) => `    '${el.tag}': DefineComponent<${propsName(el, 'VueProps')}>;`).join('\n')}
  }
}
`;
    case 'svelte':
      // Svelte 5: \`on<event>\` attributes; \`on:<event>\` for Svelte 4 syntax.
      return `${head}import type { HTMLAttributes } from 'svelte/elements';

${elements
  .map((el) =>
    iface(
      el,
      'SvelteProps',
      (n) => `on${n}`,
      (e) => e.events.map((ev) => `  'on:${ev.name}'?: (event: ${ev.type}) => void;`),
    ),
  )
  .join('\n')}
declare module 'svelte/elements' {
  interface SvelteHTMLElements {
${elements.map((el) => `    '${el.tag}': HTMLAttributes<${el.className}> & ${propsName(el, 'SvelteProps')};`).join('\n')}
  }
}
`;
    default:
      throw new Error(`unknown framework ${framework}`);
  }
}

/** Every generated file: path relative to the package → text. */
export async function generatedFiles() {
  const manifest = JSON.parse(readFileSync(join(pkgDir, 'custom-elements.json'), 'utf8'));
  const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
  const elements = elementsOf(manifest, pkg);
  const files = new Map(FRAMEWORKS.map((f) => [`types/${f}.generated.d.ts`, frameworkTypes(f, elements)]));
  const editor = await editorFiles(manifest, pkg);
  for (const [path, text] of editor) files.set(path, text);
  return files;
}

/** VS Code custom data and JetBrains web-types, from the wc-toolkit generators (in memory). */
async function editorFiles(manifest, pkg) {
  const { generateVsCodeCustomElementData } = await import('custom-element-vs-code-integration');
  const { generateJetBrainsWebTypes } = await import('custom-element-jet-brains-integration');
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'stepgate-editor-data-'));
  const quiet = console.log;
  console.log = () => undefined; // The generators log each step.
  try {
    // Both take a manifest and mutate it: give each its own copy.
    generateVsCodeCustomElementData(structuredClone(manifest), {
      outdir: dir,
      htmlFileName: 'vscode.html-custom-data.json',
      cssFileName: 'vscode.css-custom-data.json',
    });
    generateJetBrainsWebTypes(structuredClone(manifest), {
      outdir: dir,
      packageJson: false,
      webTypesFileName: 'web-types.json',
    });
  } finally {
    console.log = quiet;
  }
  const read = (name) => readFileSync(join(dir, name), 'utf8');
  const webTypes = JSON.parse(read('web-types.json'));
  // Name and version from package.json, whatever the generator guessed.
  webTypes.name = pkg.name;
  webTypes.version = pkg.version;
  const files = new Map([
    ['vscode.html-custom-data.json', read('vscode.html-custom-data.json')],
    ['vscode.css-custom-data.json', read('vscode.css-custom-data.json')],
    ['web-types.json', `${JSON.stringify(webTypes, null, 2)}\n`],
  ]);
  rmSync(dir, { recursive: true, force: true });
  return files;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const [path, text] of await generatedFiles()) {
    mkdirSync(dirname(join(pkgDir, path)), { recursive: true });
    writeFileSync(join(pkgDir, path), text);
  }
}
