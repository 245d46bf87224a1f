/**
 * base64url (RFC 4648 §5) without padding, and a tolerant base64 decoder, written by hand so
 * the package runs unchanged in browsers and Node without `Buffer`.
 */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** Index of each character code in the base64url alphabet; `+` and `/` map too (standard base64). */
const DECODE = /* @__PURE__ */ (() => {
  const table = new Int16Array(128).fill(-1);
  for (let i = 0; i < ALPHABET.length; i++) table[ALPHABET.charCodeAt(i)] = i;
  table['+'.charCodeAt(0)] = 62;
  table['/'.charCodeAt(0)] = 63;
  return table;
})();

/**
 * Encodes bytes as base64url without padding (RFC 4648 §5).
 *
 * @example
 * encodeBase64Url(new TextEncoder().encode('hi')); // 'aGk'
 */
export function encodeBase64Url(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]! + ALPHABET[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i]! << 16;
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]!;
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]!;
  }
  return out;
}

/**
 * Decodes base64url or standard base64, with or without `=` padding; `null` when the text is not
 * base64 (a foreign character, a stray padding, a length of 4n + 1, or non-zero trailing bits).
 *
 * @param strict - when true, only the unpadded base64url alphabet is accepted.
 * @example
 * decodeBase64Url('aGk'); // Uint8Array [104, 105]
 * decodeBase64Url('a*'); // null
 */
export function decodeBase64Url(text: string, strict = false): Uint8Array | null {
  let end = text.length;
  if (!strict) {
    while (end > 0 && text.charCodeAt(end - 1) === 61 /* = */ && text.length - end < 2) end--;
    if (end < text.length && text.length % 4 !== 0) return null;
  }
  if (end % 4 === 1) return null;
  const out = new Uint8Array(Math.floor((end * 3) / 4));
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    const v = c < 128 ? DECODE[c]! : -1;
    if (v < 0 || (strict && (c === 43 || c === 47))) return null;
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  // RFC 4648 §3.5: the leftover bits of a canonical encoding are zero.
  if ((acc & ((1 << bits) - 1)) !== 0) return null;
  return out;
}
