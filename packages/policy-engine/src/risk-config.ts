/** Normalised risk settings of a document (docs/policies.md "Risk"). */
import type { CondNode } from './condition.js';
import { parseDuration } from './duration.js';
import { fieldsOf } from './interpret.js';
import { compileRanges } from './ip.js';
import { DATA_GROUPS, DEFAULT_RISK_WEIGHTS, GROUP_BITS, type RiskConfig, signalGroup } from './signals.js';
import type { PolicyDocument } from './types.js';

/** Risk settings with defaults filled in, lists compiled, and the signal groups policies read. */
export function riskConfig(
  doc: PolicyDocument,
  lists: Map<string, readonly string[]>,
  conditions: readonly CondNode[],
): RiskConfig {
  const r = doc.risk ?? {};
  const weights = { ...DEFAULT_RISK_WEIGHTS, ...r.weights };
  const reads = new Set(conditions.flatMap((c) => fieldsOf(c)).map((f) => f.path));
  return {
    weights,
    medium: r.thresholds?.medium ?? 30,
    high: r.thresholds?.high ?? 60,
    impossibleTravelKmh: r.impossibleTravelKmh ?? 900,
    minTravelKm: r.minTravelKm ?? 100,
    sessionAgeHigh: parseDuration(r.sessionAgeHigh ?? '24h') ?? 86400,
    amountHigh: r.amountHigh ?? 10000,
    failuresHigh: r.failuresHigh ?? 5,
    actionCountHigh: r.actionCountHigh ?? 20,
    accountsHigh: r.accountsHigh ?? 4,
    lists: [...lists].map(([name, cidrs]) => ({
      name,
      ranges: compileRanges(cidrs),
      strength: r.lists?.[name] ?? 0,
    })),
    // Geo, IP and the score are the expensive ones: before matching only when a policy reads
    // them; otherwise when the verdict's risk is first read (lazy-risk.ts).
    eager: groupsOf([...reads]),
    strengths: new Map(Object.entries(r.lists ?? {})),
  };
}

/** The signal groups read by fields at these paths (`risk.<signal>`), the score's inputs included. */
export function groupsOf(paths: readonly string[]): number {
  return withScoreInputs(
    paths
      .filter((p) => p.startsWith('risk.'))
      .reduce((mask, p) => mask | GROUP_BITS[signalGroup(p.slice(5))], 0),
  );
}

/** The score needs every data group. */
const withScoreInputs = (mask: number): number => (mask & GROUP_BITS.score ? mask | DATA_GROUPS : mask);
