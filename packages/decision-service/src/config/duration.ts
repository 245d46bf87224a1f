/** A duration: seconds, or a string such as `5m`, `1h30m`. */
export type DurationInput = number | string;

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** Seconds of a duration (`90`, `'5m'`, `'1h30m'`). */
export function durationSeconds(value: DurationInput): number {
  if (typeof value === 'number') return value;
  let total = 0;
  for (const [, n, unit] of value.matchAll(/(\d+)([smhd])/g)) total += Number(n) * UNIT_SECONDS[unit!]!;
  return total;
}

/**
 * Bounds of a retention setting (`decisions.retention`, `audit.replay.retention`), seconds: an
 * hour to ten years. The schema bounds the number form; `configProblems` the string form.
 */
export const RETENTION_BOUNDS = { min: 3600, max: 3650 * 86_400 } as const;
