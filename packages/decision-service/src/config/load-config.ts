import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import { ConfigError, type ConfigLocation } from './config-error.js';
import {
  configProblems,
  configSchema,
  ENV_VARS,
  REMOVED_SETTINGS,
  storeConfigProblems,
} from './config-schema.js';
import { checkIdpsConfig, IDP_MAP_RULE } from './idps-config.js';
import {
  DEFAULT_AUDIENCES,
  normalizeConfig,
  type ServiceConfig,
  type ServiceConfigInput,
} from './service-config.js';
import { checkUsersConfig } from './users-config.js';
import { isPemCaCertificate, X509_CA_CERTIFICATE } from './webauthn-config.js';

const ajv = new Ajv({ allErrors: true, strict: true });
ajv.addFormat(X509_CA_CERTIFICATE, isPemCaCertificate);
const validate = ajv.compile(configSchema);

/** The JSON pointer of an Ajv error, pointing at the offending property when one is named. */
function errorPath(error: ErrorObject): string[] {
  const path = error.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'));
  if (error.keyword === 'additionalProperties') path.push(String(error.params.additionalProperty));
  return path;
}

function describe(error: ErrorObject): string {
  if (error.keyword === 'additionalProperties') return 'unknown setting';
  if (error.keyword === 'false schema')
    return REMOVED_SETTINGS[error.instancePath] ?? 'is no longer a setting';
  if (error.keyword === 'anyOf' && error.schemaPath === IDP_MAP_RULE)
    return "needs an acrMap or an amrMap: what the provider's tokens prove";
  if (error.keyword === 'anyOf') return 'must be a number of seconds or a duration such as 5m or 1h30m';
  if (error.keyword === 'format' && error.params.format === X509_CA_CERTIFICATE)
    return 'must be a PEM X.509 CA certificate (-----BEGIN CERTIFICATE----- …)';
  if (error.keyword === 'enum')
    return `must be one of ${(error.params.allowedValues as unknown[]).join(', ')}`;
  return error.message ?? 'is invalid';
}

/** Validates a configuration object; `locate` maps a path to a location. */
function check(
  input: unknown,
  locate: (path: string[], atKey: boolean) => ConfigLocation,
): asserts input is ServiceConfigInput {
  if (validate(input)) {
    const problem = configProblems(input as ServiceConfigInput)[0];
    if (problem) throw new ConfigError(locate(problem.path.split('/').slice(1), false), problem.message);
    return;
  }
  const errors = validate.errors ?? [];
  // Durations are `anyOf` number | string: report the alternative as a whole.
  const first = errors.find((e) => e.keyword === 'anyOf') ?? errors[0]!;
  throw new ConfigError(locate(errorPath(first), first.keyword === 'additionalProperties'), describe(first));
}

/** Line and column of a path in a YAML document: the key for unknown settings, else the value. */
function yamlLocator(text: string, file: string) {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const locate = (path: string[], atKey: boolean): ConfigLocation => {
    let node = doc.contents as Node | null;
    let offset = node?.range?.[0];
    for (const [i, segment] of path.entries()) {
      let next: Node | null | undefined;
      let keyOffset: number | undefined;
      if (isMap(node)) {
        const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === segment);
        next = pair?.value as Node | null | undefined;
        keyOffset = (pair?.key as Node | undefined)?.range?.[0];
      } else if (isSeq(node)) {
        next = node.items[Number(segment)] as Node | undefined;
      }
      if (keyOffset === undefined && !next) break;
      const last = i === path.length - 1;
      offset = (last && atKey) || !next?.range ? (keyOffset ?? offset) : next.range[0];
      node = next ?? null;
    }
    const loc: ConfigLocation = { file, path: path.length ? `/${path.join('/')}` : '' };
    if (offset !== undefined) {
      const pos = lineCounter.linePos(offset);
      loc.line = pos.line;
      loc.column = pos.col;
    }
    return loc;
  };
  return { doc, lineCounter, locate };
}

/** Parses and validates a YAML (or JSON) configuration text, with located errors. */
export function parseConfigText(text: string, file = 'stepgate.yaml'): ServiceConfigInput {
  return parseConfigDocument(text, file).input;
}

/** {@link parseConfigText}, keeping the locator for the checks that run after merging. */
function parseConfigDocument(
  text: string,
  file: string,
): { input: ServiceConfigInput; locate: (path: string[]) => ConfigLocation } {
  const { doc, lineCounter, locate } = yamlLocator(text, file);
  const syntax = doc.errors[0];
  if (syntax) {
    const pos = lineCounter.linePos(syntax.pos[0]);
    throw new ConfigError(
      { file, line: pos.line, column: pos.col, path: '' },
      syntax.message.split('\n')[0]!,
    );
  }
  const value: unknown = doc.toJS() ?? {};
  check(value, locate);
  return { input: value, locate: (path) => locate(path, false) };
}

/**
 * Checks that relate one setting to another (the schema checks each alone), on the merged
 * configuration: a setting is located in the file unless the config object replaced its section.
 */
function checkReferences(input: ServiceConfigInput, locate: (path: string[]) => ConfigLocation): void {
  checkUsersConfig(input.users, input.audiences ?? DEFAULT_AUDIENCES, locate);
  checkIdpsConfig(input.idps, locate);
  const problem = storeConfigProblems(input.store)[0];
  if (problem) throw new ConfigError(locate(problem.path.split('/').slice(1)), problem.message);
}

/** Applies `STEPGATE_*` environment variables over a configuration; errors name the variable. */
export function applyEnv(input: ServiceConfigInput, env: NodeJS.ProcessEnv): ServiceConfigInput {
  const out = structuredClone(input) as Record<string, unknown>;
  const provenance = new Map<string, string>();
  for (const [name, { path, kind }] of Object.entries(ENV_VARS)) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    let value: unknown = raw;
    if (kind === 'list')
      value = raw
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    if (kind === 'integer' || (kind === 'duration' && /^\d+$/.test(raw)))
      value = /^\d+$/.test(raw) ? Number(raw) : raw;
    let target = out;
    for (const key of path.slice(0, -1)) {
      target[key] ??= {};
      target = target[key] as Record<string, unknown>;
    }
    target[path.at(-1)!] = value;
    provenance.set(`/${path.join('/')}`, name);
  }
  check(out, (path) => {
    const pointer = `/${path.join('/')}`;
    const match = [...provenance].find(([p]) => pointer === p || pointer.startsWith(`${p}/`));
    return match ? { env: match[1], path: pointer } : { path: pointer };
  });
  return out;
}

/** Resolves relative file paths of a configuration against `baseDir`. */
export function resolvePaths(input: ServiceConfigInput, baseDir: string): ServiceConfigInput {
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(baseDir, p));
  const out = { ...input };
  if (out.policies) out.policies = out.policies.map(abs);
  if (out.ipLists) out.ipLists = Object.fromEntries(Object.entries(out.ipLists).map(([k, v]) => [k, abs(v)]));
  if (out.maxmindDb) out.maxmindDb = abs(out.maxmindDb);
  if (out.dataDir) out.dataDir = abs(out.dataDir);
  if (out.keyFile) out.keyFile = abs(out.keyFile);
  if (out.webauthn?.metadata) out.webauthn = { ...out.webauthn, metadata: abs(out.webauthn.metadata) };
  return out;
}

/** Options of {@link loadConfig}. */
export interface LoadConfigOptions {
  /** A YAML or JSON file; relative paths inside it are resolved against its directory. */
  file?: string;
  /** A configuration object (validated, paths resolved against `cwd`). */
  config?: ServiceConfigInput;
  /** @defaultValue process.env */
  env?: NodeJS.ProcessEnv;
  /** @defaultValue process.cwd() */
  cwd?: string;
}

/**
 * Loads the configuration: file (or object), then `STEPGATE_*` variables, validated against
 * {@link configSchema}, defaults filled.
 *
 * @throws ConfigError with the file, line and column (or the variable) of the first problem.
 * @example
 * const config = loadConfig({ file: 'stepgate.yaml' });
 */
export function loadConfig(options: LoadConfigOptions = {}): ServiceConfig {
  const cwd = options.cwd ?? process.cwd();
  let input: ServiceConfigInput = {};
  let baseDir = cwd;
  let inFile: ((path: string[]) => ConfigLocation) | undefined;
  if (options.file !== undefined) {
    let text: string;
    try {
      text = readFileSync(options.file, 'utf8');
    } catch (cause) {
      throw new ConfigError({ file: options.file, path: '' }, 'cannot read the configuration file', {
        cause,
      });
    }
    const parsed = parseConfigDocument(text, options.file);
    input = parsed.input;
    inFile = parsed.locate;
    baseDir = dirname(resolve(cwd, options.file));
  }
  if (options.config !== undefined) {
    const merged = { ...input, ...options.config };
    check(merged, (path) => ({ path: `/${path.join('/')}` }));
    input = merged;
  }
  input = resolvePaths(applyEnv(input, options.env ?? process.env), baseDir);
  const given = options.config as Record<string, unknown> | undefined;
  const locate = (path: string[]): ConfigLocation =>
    inFile && given?.[path[0]!] === undefined ? inFile(path) : { path: `/${path.join('/')}` };
  checkReferences(input, locate);
  const config = normalizeConfig(resolvePaths(input, cwd));
  // Providers are discovered at start, after loading: keep where each is, for those errors.
  config.idps.forEach((idp, i) => {
    idp.location = locate(['idps', String(i), 'issuer']);
  });
  // Defaults are relative to the working directory.
  config.dataDir = resolve(cwd, config.dataDir);
  config.keyFile = resolve(cwd, config.keyFile);
  return config;
}
