// ajv and ajv-formats are CommonJS: take the class and plugin wherever the loader put them.
import * as ajvModule from 'ajv';
import * as formatsModule from 'ajv-formats';

interface AjvLike {
  compile(schema: object): (data: unknown) => boolean;
}
const pick = <T>(mod: object, name: string): T => {
  const m = mod as Record<string, unknown>;
  const d = m.default as Record<string, unknown> | undefined;
  return (m[name] ?? d?.[name] ?? d?.default ?? d) as T;
};
export const Ajv = pick<new (options: object) => AjvLike>(ajvModule, 'Ajv');
export const addFormats = pick<(ajv: AjvLike) => AjvLike>(formatsModule, 'formatsPlugin');
