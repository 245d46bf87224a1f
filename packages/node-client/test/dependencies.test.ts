import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const read = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
const own = read(join(root, 'package.json')) as {
  dependencies: Record<string, string>;
  engines: { node: string };
};
/** The lowest Node the package declares (`^20.19.0 || >=22.12.0` → 20.19.0). */
const FLOOR = /^\^(\d+)\.(\d+)\.(\d+)\s*\|\|/.exec(own.engines.node)?.slice(1).map(Number) ?? [];

/**
 * Whether the floor satisfies an `engines.node` range. Only the forms the dependencies use are read
 * (`>=X[.Y[.Z]]` alternatives joined by `||`); any other form fails the test, to be looked at by hand.
 */
function admitsFloor(range: string): boolean {
  return range.split('||').some((part) => {
    const m = /^\s*>=\s*(\d+)(?:\.(\d+))?(?:\.(\d+))?\s*$/.exec(part);
    if (!m) throw new Error(`engines range not understood: ${range}`);
    const min = [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0)];
    for (let i = 0; i < 3; i += 1) if (FLOOR[i]! !== min[i]!) return FLOOR[i]! > min[i]!;
    return true;
  });
}

describe('runtime dependencies (issue 18)', () => {
  it("each one runs on the package's lowest Node 20 (ky 2 and undici 8 need Node 22)", () => {
    expect(FLOOR[0]).toBe(20);
    const blocked = Object.keys(own.dependencies)
      .filter((name) => !name.startsWith('@stepgate/'))
      .filter((name) => {
        const engines = read(join(root, 'node_modules', name, 'package.json')).engines as
          | { node?: string }
          | undefined;
        return engines?.node !== undefined && !admitsFloor(engines.node);
      });
    expect(blocked).toEqual([]);
  });
});
