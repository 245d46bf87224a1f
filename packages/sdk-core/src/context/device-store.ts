/**
 * The per-browser device id and the remembered-device token, in localStorage under
 * `stepgate:`-prefixed keys, with an in-memory fallback when storage is blocked (private
 * modes, sandboxed iframes, storage quotas). Nothing is read before the first call.
 */

/**
 * localStorage keys sdk-core uses, namespaced with `stepgate:`.
 *
 * @example
 * localStorage.getItem(STORAGE_KEYS.deviceId);
 */
export const STORAGE_KEYS = {
  deviceId: 'stepgate:device-id',
  deviceToken: 'stepgate:device-token',
  /** The WebGL renderer string with the time it was read (creating a WebGL context is the slow part). */
  webgl: 'stepgate:webgl',
} as const;

const WEBGL_TTL_MS = 7 * 24 * 3600_000;

/** The renderer read within the last 7 days, if any. */
export function cachedWebglRenderer(now = Date.now()): string | undefined {
  const raw = read(STORAGE_KEYS.webgl);
  const at = raw ? Number(raw.slice(0, raw.indexOf(' '))) : Number.NaN;
  return raw && at <= now && now - at < WEBGL_TTL_MS ? raw.slice(raw.indexOf(' ') + 1) : undefined;
}

/** Keeps the renderer for the next page loads. */
export function storeWebglRenderer(renderer: string, now = Date.now()): void {
  write(STORAGE_KEYS.webgl, `${now} ${renderer}`);
}

const MAX_TOKEN_LENGTH = 2048;
const memory = new Map<string, string>();

function storage(): Storage | undefined {
  try {
    return globalThis.localStorage ?? undefined;
  } catch {
    return undefined; // Accessing localStorage throws where storage is blocked.
  }
}

function read(key: string): string | undefined {
  try {
    const value = storage()?.getItem(key);
    if (value) return value;
  } catch {
    // Fall through to memory.
  }
  return memory.get(key);
}

function write(key: string, value: string | undefined): void {
  if (value === undefined) memory.delete(key);
  else memory.set(key, value);
  try {
    const s = storage();
    if (value === undefined) s?.removeItem(key);
    else s?.setItem(key, value);
  } catch {
    // Memory keeps it for this page's life.
  }
}

/**
 * The per-browser random device id (a UUID from `crypto.randomUUID()`), created on first use.
 * It identifies nothing but this browser profile, and lowers no risk by itself (S25).
 *
 * @example
 * getDeviceId(); // '0b6f…'
 */
export function getDeviceId(): string {
  let id = read(STORAGE_KEYS.deviceId);
  if (!id || id.length > 64) {
    id = crypto.randomUUID();
    write(STORAGE_KEYS.deviceId, id);
  }
  return id;
}

/**
 * Stores the remembered-device token from a verify answer; it is sent in every later
 * `Step-Up-Context` header. The flow calls this itself when an answer carries `deviceToken`.
 *
 * @param token - The token; an empty string forgets the stored one.
 * @throws TypeError when `token` is not a string or is longer than 2048 characters.
 * @example
 * rememberDeviceToken(answer.deviceToken);
 */
export function rememberDeviceToken(token: string): void {
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) {
    throw new TypeError('deviceToken must be a string of at most 2048 characters');
  }
  write(STORAGE_KEYS.deviceToken, token === '' ? undefined : token);
}

/**
 * The stored remembered-device token, if any.
 *
 * @example
 * if (getDeviceToken()) showBadge('This device is remembered');
 */
export function getDeviceToken(): string | undefined {
  return read(STORAGE_KEYS.deviceToken);
}

/**
 * Forgets the device id, the remembered-device token and the cached WebGL renderer (for a "forget this device" button or
 * on sign-out of a shared computer).
 *
 * @example
 * forgetDevice();
 */
export function forgetDevice(): void {
  write(STORAGE_KEYS.deviceId, undefined);
  write(STORAGE_KEYS.deviceToken, undefined);
  write(STORAGE_KEYS.webgl, undefined);
}
