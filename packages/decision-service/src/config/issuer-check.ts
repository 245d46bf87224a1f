/** Development check of the configured `issuer` against where the service listens (issue 22). */

const LOOPBACK = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);
const WILDCARD = new Set(['0.0.0.0', '::', '[::]']);

/**
 * Why the issuer does not name where the service listens, or `undefined` when it does. Upgraded
 * tokens carry `iss: issuer`; a development config written for port 8787 and served on another
 * port mints tokens that name a service that is not there. Loopback names are interchangeable,
 * and any host matches a wildcard listener.
 *
 * @example
 * issuerWarning('http://localhost:8787', '127.0.0.1', 8787); // undefined
 * issuerWarning('http://localhost:8787', '127.0.0.1', 9000); // 'the issuer http://localhost:8787 …'
 */
export function issuerWarning(issuer: string, host: string, port: number): string | undefined {
  const here = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    return `the issuer ${issuer} is not a URL; in development set it to ${here} (stepgate init --issuer)`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return `the issuer ${issuer} is not this service's URL ${here}; upgraded tokens carry it as "iss"`;
  }
  const issuerPort = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  const sameHost =
    WILDCARD.has(host) || url.hostname === host || (LOOPBACK.has(url.hostname) && LOOPBACK.has(host));
  if (issuerPort === port && sameHost) return undefined;
  return `the issuer ${issuer} does not match where the service listens (${here}); upgraded tokens carry it as "iss" (set issuer in the config, or stepgate init --issuer)`;
}
