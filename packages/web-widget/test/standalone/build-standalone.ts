/**
 * Builds the widget's standalone `<script>` bundles from the current sources, in memory: the
 * workspace's own rollup config (the one `pnpm build` and `pnpm bench` use: node-resolve with the
 * `source` condition, esbuild, terser), with `generate()` instead of `write()`, so nothing needs a
 * build first and nothing is written to dist/.
 */
import { type OutputOptions, type RollupOptions, rollup } from 'rollup';
// @ts-expect-error rollup.config.mjs is plain JS without types
import workspaceConfigs from '../../../../rollup.config.mjs';

/** The names in package.json `stepgate.standalone`. */
export type StandaloneName =
  | 'step-up-challenge'
  | 'step-up-enroll'
  | 'stepgate-fr'
  | 'step-up-fetch'
  | 'step-up-webauthn';

/** One built bundle: the code a page loads, and what rollup saw while building it. */
export interface StandaloneBundle {
  /** `dist/standalone/<name>.min.js` would hold this. */
  fileName: string;
  code: string;
  /** Modules the bundle imports at run time (static and dynamic): empty when self-contained. */
  imports: string[];
  exports: string[];
  /** Rollup's warnings (an unresolved import shows up here). */
  warnings: string[];
}

/** One entry of the workspace config's default export (rollup's options, `output` an object). */
type WorkspaceConfig = RollupOptions & { output: OutputOptions };

/** Builds one standalone bundle exactly as the workspace build does, without writing it. */
export async function buildStandalone(name: StandaloneName): Promise<StandaloneBundle> {
  const fileName = `${name}.min.js`;
  const config = (workspaceConfigs as WorkspaceConfig[]).find((c) =>
    c.output.file?.endsWith(`/web-widget/dist/standalone/${fileName}`),
  );
  if (!config) throw new Error(`rollup.config.mjs has no standalone build ${fileName}`);
  const { output: outputOptions, ...inputOptions } = config;
  const warnings: string[] = [];
  const bundle = await rollup({
    ...inputOptions,
    onwarn: (w) => warnings.push(`${w.code ?? 'WARNING'}: ${w.message}`),
  });
  try {
    const { output } = await bundle.generate({ ...outputOptions, sourcemap: false });
    const [chunk, ...more] = output;
    if (chunk?.type !== 'chunk' || more.length > 0) {
      throw new Error(`${fileName}: expected one chunk, got ${output.map((o) => o.fileName).join(', ')}`);
    }
    return {
      fileName,
      code: chunk.code,
      imports: [...chunk.imports, ...chunk.dynamicImports],
      exports: [...chunk.exports].sort(),
      warnings,
    };
  } finally {
    await bundle.close();
  }
}
