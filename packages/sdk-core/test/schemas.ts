/**
 * Validates test mocks against the protocol's JSON Schemas (@cfworker/json-schema runs in the
 * browser as an ES module). TEMPORARY hand-written checks until protocol's schemas.ts lands.
 */
type SchemaName = 'stepUpAnswerSchema' | 'verifyAnswerSchema' | 'stepUpContextSchema';

function fail(name: string, why: string): never {
  throw new Error(`${name}: ${why}`);
}

/** Throws when `value` does not match the named protocol schema. */
export function assertValid(name: SchemaName, value: unknown): void {
  const v = value as Record<string, unknown>;
  if (typeof v !== 'object' || v === null) fail(name, 'not an object');
  if (name === 'stepUpAnswerSchema') {
    const s = v.stepUp as Record<string, unknown> | undefined;
    if (!s || typeof s.challengeId !== 'string' || typeof s.challengeUrl !== 'string')
      fail(name, 'bad stepUp');
  } else if (name === 'verifyAnswerSchema') {
    if (typeof v.token !== 'string' || !Array.isArray(v.amr)) fail(name, 'bad answer');
  } else if (v.v !== 1 || typeof v.deviceId !== 'string' || typeof v.fingerprint !== 'string') {
    fail(name, 'bad context');
  }
}
