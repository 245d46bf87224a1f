// `pnpm manifest`: custom-elements.json from the components' TSDoc tags (@tag, @attr, @prop,
// @fires, @slot, @csspart, @cssprop). The analyzer brings its own TypeScript 5 compiler API
// (TypeScript 7 has none), so it runs beside the workspace's `tsc`.
export default {
  globs: ['src/**/*.ts'],
  exclude: ['src/**/*.test.ts', 'src/standalone/**'],
  outdir: '.',
  litelement: true,
  plugins: [
    {
      // Keep the public surface only: no private state (Lit `state: true`, `#private`) as
      // members or attributes, and only the documented `step-up-*` events.
      name: 'stepgate-public-surface',
      packageLinkPhase({ customElementsManifest }) {
        for (const mod of customElementsManifest.modules) {
          for (const dec of mod.declarations ?? []) {
            if (!dec.customElement) continue;
            const hidden = new Set(
              (dec.members ?? [])
                .filter((m) => m.privacy === 'private' || m.name.startsWith('#'))
                .map((m) => m.name),
            );
            dec.members = (dec.members ?? []).filter((m) => !hidden.has(m.name));
            dec.attributes = (dec.attributes ?? []).filter((a) => !hidden.has(a.fieldName ?? a.name));
            dec.events = (dec.events ?? []).filter((e) => e.name?.startsWith('step-up-'));
          }
        }
      },
    },
  ],
};
