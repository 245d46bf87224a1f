/**
 * Globs on dotted names (action names): `*` matches one segment (no dot), `**` any number of
 * characters including dots. `admin.*` matches `admin.users` but not `admin.users.delete`;
 * `admin.**` matches both; `**` matches everything.
 */

/** A compiled glob: a predicate on strings. */
export type GlobMatcher = (s: string) => boolean;

const escapeRe = (s: string): string => s.replace(/[.+?^${}()|[\]\\/-]/g, '\\$&');

/**
 * Compiles a glob pattern. Common shapes (`**`, `prefix.**`, `prefix.*`, no wildcard) get
 * string-method fast paths; others become an anchored RegExp built from escaped literals.
 *
 * @example
 * compileGlob('admin.*')('admin.users'); // true
 */
export function compileGlob(pattern: string): GlobMatcher {
  if (pattern === '**') return () => true;
  if (!pattern.includes('*')) return (s) => s === pattern;
  const head = pattern.slice(0, -2);
  if (!head.includes('*')) {
    if (pattern.endsWith('.**')) {
      const prefix = pattern.slice(0, -2);
      return (s) => s.length > prefix.length && s.startsWith(prefix);
    }
    if (pattern.endsWith('.*') && !pattern.endsWith('*.*')) {
      const prefix = pattern.slice(0, -1);
      const n = prefix.length;
      return (s) => s.length > n && s.startsWith(prefix) && s.indexOf('.', n) === -1;
    }
  }
  const source = pattern
    .split('**')
    .map((part) => part.split('*').map(escapeRe).join('[^.]*'))
    .join('.*');
  const re = new RegExp(`^${source}$`, 's');
  return (s) => re.test(s);
}

/** Tells whether a string is a glob (contains `*`). */
export const isGlob = (s: string): boolean => s.includes('*');
