/**
 * Building blocks of the JSON Schemas. Every schema is valid under draft-07 and 2020-12: no
 * `$schema`, no `$ref` (shared parts are inlined), no tuple `items`. Strings carry `maxLength`,
 * arrays `maxItems`; objects are closed (`additionalProperties: false`) except open maps.
 */
import { CONTEXT_LIMITS } from '../context-header.js';
import { ERROR_CODES } from '../errors.js';
import { FIELD_TYPES } from '../field-types.js';
import { AMR_VALUES, LEVELS, METHODS } from '../levels.js';
import { IDP_ID_PATTERN } from '../performers.js';

/** Length and count limits used by the schemas. */
export const SCHEMA_LIMITS = {
  id: 256,
  name: 256,
  text: 2048,
  token: 8192,
  url: 2048,
  dateTime: 64,
  list: 256,
  roles: 64,
  factors: 100,
  openMapProperties: 256,
  /** Typed fields of one policy set (`GET /v1/policies/fields`). */
  fields: 4096,
  /** Policies of one policy set. */
  policies: 10000,
} as const;

/** The `$id` of a schema: `https://stepgate.dev/schemas/<name>.json`. */
export const schemaId = <const N extends string>(name: N) =>
  `https://stepgate.dev/schemas/${name}.json` as const;

/** A non-empty string of at most `maxLength` characters. */
export const str = <const M extends number>(maxLength: M) =>
  ({ type: 'string', minLength: 1, maxLength }) as const;

/** A closed object with these properties and required names. */
export const obj = <const P extends Record<string, object>, const R extends readonly (keyof P & string)[]>(
  properties: P,
  required: R,
) => ({ type: 'object', additionalProperties: false, properties, required }) as const;

/** An open map: any JSON members (transaction, resource attributes, WebAuthn JSON). */
export const openMap = {
  type: 'object',
  maxProperties: SCHEMA_LIMITS.openMapProperties,
} as const;

export const dateTime = { type: 'string', format: 'date-time', maxLength: SCHEMA_LIMITS.dateTime } as const;
export const unixSeconds = { type: 'integer', minimum: 0 } as const;
export const seconds = { type: 'integer', minimum: 0 } as const;
export const level = { type: 'string', enum: LEVELS } as const;
export const method = { type: 'string', enum: METHODS } as const;
export const methods = { type: 'array', items: method, maxItems: METHODS.length, uniqueItems: true } as const;
export const amr = { type: 'array', items: { type: 'string', enum: AMR_VALUES }, maxItems: 16 } as const;
export const errorCode = {
  type: 'string',
  enum: Object.keys(ERROR_CODES) as Array<keyof typeof ERROR_CODES>,
} as const;
export const fieldType = { type: 'string', enum: FIELD_TYPES } as const;
export const decision = { type: 'string', enum: ['allow', 'step_up', 'deny'] } as const;

export const subject = obj(
  {
    id: str(SCHEMA_LIMITS.id),
    sessionId: str(SCHEMA_LIMITS.id),
    // A number, not only an integer: backends often pass `Date.now() / 1000`.
    authTime: { type: 'number', minimum: 0 },
    acr: str(SCHEMA_LIMITS.name),
    roles: { type: 'array', items: str(128), maxItems: SCHEMA_LIMITS.roles },
    methods,
  },
  ['id'],
);

/** `stepgate` or `idp:<id>`. */
export const performer = {
  type: 'string',
  pattern: `^(stepgate|idp:${IDP_ID_PATTERN.source.slice(1, -1)})$`,
  maxLength: 68,
} as const;

export const requirement = obj(
  {
    level,
    acr: str(SCHEMA_LIMITS.name),
    maxAge: seconds,
    methods,
    bindTransaction: { type: 'boolean' },
    singleUse: { type: 'boolean' },
    anyAction: { type: 'boolean' },
    restrictsMethods: { type: 'boolean', const: true },
    performers: { type: 'array', items: performer, minItems: 1, maxItems: 32, uniqueItems: true },
    providerMethods: { ...methods, minItems: 1 },
  },
  ['level', 'acr', 'methods', 'bindTransaction', 'singleUse'],
);

export const reason = obj(
  { policyId: str(SCHEMA_LIMITS.id), code: str(128), detail: str(SCHEMA_LIMITS.text), values: openMap },
  ['policyId', 'code'],
);
export const reasons = { type: 'array', items: reason, maxItems: SCHEMA_LIMITS.list } as const;

export const challengeRef = obj({ id: str(SCHEMA_LIMITS.id), expiresAt: dateTime, methods }, [
  'id',
  'expiresAt',
  'methods',
]);

export const factorView = obj(
  {
    id: str(SCHEMA_LIMITS.id),
    method,
    label: str(128),
    maxLevel: level,
    createdAt: dateTime,
    lastUsedAt: dateTime,
    backupEligible: { type: 'boolean' },
  },
  ['id', 'method', 'maxLevel', 'createdAt'],
);
export const factors = { type: 'array', items: factorView, maxItems: SCHEMA_LIMITS.factors } as const;

const signalString = str(CONTEXT_LIMITS.signalString);
const signalNumber = { type: 'number', minimum: 0, maximum: CONTEXT_LIMITS.signalNumber } as const;
export const deviceSignals = obj(
  {
    tz: signalString,
    lang: signalString,
    screen: signalString,
    platform: signalString,
    cores: signalNumber,
    memory: signalNumber,
    touch: signalNumber,
    colorDepth: signalNumber,
    webgl: signalString,
    webdriver: { type: 'boolean' },
    webauthn: { type: 'boolean' },
    platformAuthenticator: { type: 'boolean' },
    webview: signalString,
  },
  [],
);

export const stepUpContext = obj(
  {
    v: { type: 'integer', const: 1 },
    deviceId: str(CONTEXT_LIMITS.deviceId),
    fingerprint: str(CONTEXT_LIMITS.fingerprint),
    deviceToken: str(CONTEXT_LIMITS.deviceToken),
    signals: deviceSignals,
  },
  ['v', 'deviceId', 'fingerprint', 'signals'],
);

/** One identity provider that may perform a step-up (`ProviderStepUp`). */
export const providerStepUp = obj(
  {
    performer: { ...performer, pattern: performer.pattern.replace('stepgate|', '') },
    name: str(128),
    issuer: { type: 'string', format: 'uri', maxLength: SCHEMA_LIMITS.url },
    authorizationEndpoint: { type: 'string', format: 'uri', maxLength: SCHEMA_LIMITS.url },
    params: obj(
      {
        client_id: str(SCHEMA_LIMITS.id),
        response_type: str(64),
        scope: str(SCHEMA_LIMITS.name),
        acr_values: str(SCHEMA_LIMITS.text),
        max_age: { type: 'string', pattern: '^[0-9]{1,12}$', maxLength: 12 },
        prompt: str(64),
        claims: str(SCHEMA_LIMITS.text),
        nonce: str(SCHEMA_LIMITS.id),
      },
      ['client_id', 'response_type', 'scope', 'claims', 'nonce'],
    ),
    expiresAt: dateTime,
  },
  ['performer', 'name', 'issuer', 'authorizationEndpoint', 'params', 'expiresAt'],
);
export const providerStepUps = { type: 'array', items: providerStepUp, minItems: 1, maxItems: 32 } as const;

export const stepUpInfo = obj(
  {
    challengeId: str(SCHEMA_LIMITS.id),
    challengeUrl: { type: 'string', format: 'uri', maxLength: SCHEMA_LIMITS.url },
    acr: str(SCHEMA_LIMITS.name),
    maxAge: seconds,
    methods,
    expiresAt: dateTime,
    providers: providerStepUps,
  },
  ['challengeId', 'challengeUrl', 'acr', 'methods', 'expiresAt'],
);

/** `{ error: { code: <code>, message } }` with a fixed code. */
export const fixedError = <const C extends string>(code: C) =>
  obj({ code: { type: 'string', const: code }, message: str(SCHEMA_LIMITS.text) }, ['code', 'message']);
