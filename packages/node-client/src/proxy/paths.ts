/**
 * The only service paths the challenge proxy forwards: a challenge or an enrollment ticket and at most
 * two lower-case sub-segments below it (`/start`, `/verify`, `/totp/confirm`, `/webauthn/options`, …).
 * The id is the browser's capability; nothing else on the service — decisions, users, the bare
 * `POST /v1/enrollments` that creates tickets with the API key, admin routes — is reachable.
 */
const ALLOWED = /^\/v1\/(challenges|enrollments)\/([A-Za-z0-9_-]{1,128})((?:\/[a-z0-9-]{1,32}){0,2})$/;

/** A proxy path decision. */
export type ProxyRoute =
  | { type: 'outside' }
  | { type: 'not_found' }
  | { type: 'forward'; servicePath: string };

/**
 * Matches a raw request target (path and query, as received) against the proxy prefix and the
 * allow-list. The raw target is checked, not a normalised one: `..`, `.`, empty segments, backslashes
 * and any percent-encoding (such as `%2F` or `%2e`) are refused, since ids never need them.
 *
 * @example
 * matchProxyPath('/stepgate/v1/challenges/chl_1/start', '/stepgate'); // { type: 'forward', servicePath: '/v1/challenges/chl_1/start' }
 * matchProxyPath('/stepgate/v1/decisions', '/stepgate');              // { type: 'not_found' }
 */
export function matchProxyPath(target: string, prefix: string): ProxyRoute {
  const path = target.split('?', 1)[0] ?? '';
  if (path !== prefix && !path.startsWith(`${prefix}/`)) return { type: 'outside' };
  const rest = path.slice(prefix.length);
  if (/[%\\]|\/\/|\/\.\.?(\/|$)/.test(rest)) return { type: 'not_found' };
  const match = ALLOWED.exec(rest);
  return match ? { type: 'forward', servicePath: match[0] } : { type: 'not_found' };
}
