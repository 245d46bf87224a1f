/** Units of a duration string, in seconds. */
const UNITS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };
const DURATION_RE = /^(?:\d{1,9}[smhdw])+$/;
const PART_RE = /(\d{1,9})([smhdw])/g;

/**
 * Parses a duration: a non-negative integer number of seconds, or a string of number+unit parts
 * (`s`, `m`, `h`, `d`, `w`), such as `90s`, `5m`, `1h30m`. A plain digit string counts as seconds.
 * Returns `undefined` when malformed.
 *
 * @example
 * parseDuration('5m'); // 300
 * parseDuration(0);    // 0
 * parseDuration('5 minutes'); // undefined
 */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === 'number') {
    return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
  }
  if (typeof value !== 'string') return undefined;
  if (/^\d{1,12}$/.test(value)) return Number(value);
  if (!DURATION_RE.test(value)) return undefined;
  let total = 0;
  for (const m of value.matchAll(PART_RE)) total += Number(m[1]) * (UNITS[m[2] as string] as number);
  return Number.isSafeInteger(total) ? total : undefined;
}
