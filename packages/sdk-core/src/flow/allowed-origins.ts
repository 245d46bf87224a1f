/**
 * Which origins a step-up answer may send the browser to. The `challengeUrl` of an answer is
 * where the handler sends the challenge id, the codes the user types and the WebAuthn
 * assertions, so an answer that names another server would hand all of them to it (issue 15).
 * Only the page's own origin and the origins the app lists are accepted.
 */

/**
 * The origin that `value` names (`https://auth.example.com`, lower-case host, default port left
 * out), or `undefined` when `value` is not a bare http(s) origin: a path other than `/`, a
 * query, a fragment, credentials or another scheme all make it `undefined`.
 */
function originOf(value: unknown): string | undefined {
  try {
    const url = new URL(value as string);
    return /^https?:$/.test(url.protocol) && url.href === `${url.origin}/` ? url.origin : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Checks an allow-list of origins when a client is created and returns it in the form
 * `URL.origin` uses (`https://auth.example.com`, lower-case host, default port left out). A
 * trailing `/` is accepted; a path, query, fragment, credentials, a wildcard or another scheme
 * is not.
 *
 * @param list - The origins, or `undefined` for none.
 * @param name - The option name used in error messages.
 * @returns The origins, normalised and frozen.
 * @throws TypeError naming the first malformed entry.
 * @example
 * normalizeAllowedOrigins(['https://Auth.Example.com/']); // ['https://auth.example.com']
 */
export function normalizeAllowedOrigins(
  list: readonly string[] | undefined,
  name = 'allowedOrigins',
): readonly string[] {
  if (list === undefined) return Object.freeze([]);
  if (!Array.isArray(list)) throw new TypeError(`${name} must be an array of origins`);
  return Object.freeze(
    list.map((value: unknown, index) => {
      const origin = originOf(value);
      if (origin === undefined) {
        throw new TypeError(
          `${name}[${index}] must be an http(s) origin such as "https://auth.example.com" (got ${JSON.stringify(value)})`,
        );
      }
      return origin;
    }),
  );
}

/**
 * Tells whether `url` (absolute, or relative to the document's base URL as `fetch` resolves it)
 * is an http(s) URL on the page's own origin or on the origin of one of `allowedOrigins` (each
 * entry is read with `new URL(entry).origin`; one that does not parse matches nothing). A
 * `data:`, `blob:`, `javascript:` or `file:` URL, or any with an opaque origin, never matches.
 *
 * @param url - A `challengeUrl` (or enrollment URL) about to be fetched.
 * @param allowedOrigins - Origins besides the page's own, such as `https://auth.example.com`.
 * @defaultValue allowedOrigins `[]`: only the page's own origin
 * @example
 * isAllowedOrigin(body.stepUp.challengeUrl, ['https://auth.example.com']);
 */
export function isAllowedOrigin(url: string, allowedOrigins: readonly string[] = []): boolean {
  let target: URL;
  try {
    // Outside a document (no `document`) nothing is allowed: the check fails closed.
    target = new URL(url, document.baseURI);
  } catch {
    return false;
  }
  const { origin } = target;
  return (
    /^https?:$/.test(target.protocol) &&
    // An http(s) URL's origin is never opaque, so a page whose origin is `null` matches nothing here.
    (origin === location.origin ||
      allowedOrigins.some((entry) => {
        try {
          return new URL(entry).origin === origin;
        } catch {
          return false;
        }
      }))
  );
}
