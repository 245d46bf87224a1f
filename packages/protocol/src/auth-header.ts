/**
 * The `WWW-Authenticate` grammar of RFC 9110 §11:
 *
 * ```
 * WWW-Authenticate = #challenge
 * challenge  = auth-scheme [ 1*SP ( token68 / #auth-param ) ]
 * auth-param = token BWS "=" BWS ( token / quoted-string )
 * token68    = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
 * ```
 *
 * A comma both separates challenges and the parameters of one challenge; an element of the form
 * `token BWS "="` continues the current challenge, anything else starts a new one.
 */

/** One parsed challenge. Parameter names are lower-cased (RFC 9110 §11.2: case-insensitive). */
export interface AuthChallenge {
  /** The auth-scheme as written (compare it case-insensitively). */
  scheme: string;
  /** The token68 form, when the challenge uses it instead of parameters. */
  token68?: string;
  /** Parameter values, unquoted and unescaped. */
  params: Record<string, string>;
}

// RFC 9110 §5.6.2: tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA
const TCHAR = /* @__PURE__ */ (() => {
  const table = new Uint8Array(128);
  for (const c of "!#$%&'*+-.^_`|~") table[c.charCodeAt(0)] = 1;
  for (let c = 48; c <= 57; c++) table[c] = 1;
  for (let c = 65; c <= 90; c++) table[c] = 1;
  for (let c = 97; c <= 122; c++) table[c] = 1;
  return table;
})();
const TOKEN68 = /[A-Za-z0-9\-._~+/]+=*/y;

/**
 * Tells whether a string is an RFC 9110 token (a scheme or parameter name, or a bare value).
 *
 * @example
 * isToken('Bearer'); // true
 * isToken('a b');    // false
 */
export function isToken(value: string): boolean {
  if (value.length === 0) return false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 128 || TCHAR[c] !== 1) return false;
  }
  return true;
}

/** qdtext = HTAB / SP / %x21 / %x23-5B / %x5D-7E / obs-text; a quoted-pair may also escape `"` and `\`. */
function isQuotable(c: number): boolean {
  return c === 0x09 || (c >= 0x20 && c <= 0x7e) || (c >= 0x80 && c <= 0xff);
}

/**
 * Parses a `WWW-Authenticate` (or `Proxy-Authenticate`) value into its challenges; `null` when it
 * does not follow the grammar (including a parameter repeated within one challenge). Never throws.
 *
 * @example
 * parseAuthenticateHeader('Basic realm="x", Bearer error="insufficient_user_authentication"');
 * // [{ scheme: 'Basic', params: { realm: 'x' } }, { scheme: 'Bearer', params: { error: '…' } }]
 */
export function parseAuthenticateHeader(header: string): AuthChallenge[] | null {
  const s = header;
  let i = 0;
  const ows = () => {
    while (i < s.length && (s[i] === ' ' || s[i] === '\t')) i++;
  };
  const token = () => {
    const start = i;
    while (i < s.length && s.charCodeAt(i) < 128 && TCHAR[s.charCodeAt(i)] === 1) i++;
    return s.slice(start, i);
  };
  const quoted = (): string | null => {
    let out = '';
    for (i++; i < s.length; i++) {
      let c = s.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return out;
      }
      if (c === 0x5c) {
        i++;
        c = s.charCodeAt(i);
      }
      if (!(isQuotable(c) || c > 0xff)) return null;
      out += s[i];
    }
    return null;
  };
  // After "name", at BWS "=" BWS: reads the value; null on a syntax error.
  const paramValue = (): string | null => {
    ows();
    i++; // "="
    ows();
    if (s[i] === '"') return quoted();
    const value = token();
    return value === '' ? null : value;
  };
  // After an element: OWS then the end or a comma.
  const elementEnd = () => {
    ows();
    return i >= s.length || s[i] === ',';
  };

  const challenges: Array<{ scheme: string; token68?: string; params: Map<string, string> }> = [];
  let current: (typeof challenges)[number] | undefined;
  for (;;) {
    while (i < s.length && (s[i] === ',' || s[i] === ' ' || s[i] === '\t')) i++;
    if (i >= s.length) break;
    const name = token();
    if (name === '') return null;
    const afterName = i;
    ows();
    if (current !== undefined && s[i] === '=') {
      // Another auth-param of the current challenge.
      const key = name.toLowerCase();
      const value = paramValue();
      if (value === null || current.token68 !== undefined || current.params.has(key)) return null;
      current.params.set(key, value);
      if (!elementEnd()) return null;
      continue;
    }
    // A new challenge: auth-scheme [ 1*SP ( token68 / #auth-param ) ].
    i = afterName;
    current = { scheme: name, params: new Map() };
    challenges.push(current);
    ows();
    if (i >= s.length || s[i] === ',') continue;
    if (i === afterName) return null;
    TOKEN68.lastIndex = i;
    const t68 = TOKEN68.exec(s);
    if (t68 !== null) {
      const start = i;
      i += t68[0].length;
      if (elementEnd()) {
        current.token68 = t68[0];
        continue;
      }
      i = start;
    }
    const first = token();
    ows();
    if (first === '' || s[i] !== '=') return null;
    const value = paramValue();
    if (value === null) return null;
    current.params.set(first.toLowerCase(), value);
    if (!elementEnd()) return null;
  }
  return challenges.map(({ scheme, token68, params }) =>
    token68 === undefined
      ? { scheme, params: Object.fromEntries(params) }
      : { scheme, token68, params: Object.fromEntries(params) },
  );
}

/**
 * Quotes a parameter value as an RFC 9110 quoted-string, escaping `"` and `\`; `null` when the
 * value holds a character a header cannot carry (controls other than HTAB, or above U+00FF).
 *
 * @example
 * quoteString('say "hi"'); // '"say \\"hi\\""'
 */
export function quoteString(value: string): string | null {
  let out = '"';
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (!isQuotable(c)) return null;
    out += c === 0x22 || c === 0x5c ? `\\${value[i]}` : value[i];
  }
  return `${out}"`;
}
