import type { BacktestReport } from './backtest.js';

const pct = (x: number | null) => (x === null ? '—' : `${(x * 100).toFixed(1)}%`);
const num = (x: number) => x.toLocaleString('en-US');
const signed = (x: number) => (x > 0 ? `+${num(x)}` : num(x));

/** Pads columns of a small table. */
function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) =>
    r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  '),
  );
}

/**
 * The backtest report as text for a terminal (`stepgate backtest --format table`).
 *
 * @example
 * for (const line of reportLines(report)) console.log(line);
 */
export function reportLines(r: BacktestReport): string[] {
  const out: string[] = [];
  out.push(`window ${r.window.since} → ${r.window.until}`);
  out.push(
    `${num(r.decisions)} decisions, ${num(r.replayable)} replayable, ${num(r.notReplayable.count)} not replayable${
      r.notReplayable.count > 0
        ? ` (${Object.entries(r.notReplayable.reasons)
            .map(([k, v]) => `${k}: ${num(v)}`)
            .join(', ')})`
        : ''
    }`,
  );
  out.push(`policies in force ${r.now.version}`, `candidate         ${r.candidate.version}`, '');
  const rows = [['outcome', 'now', 'candidate', 'change']];
  for (const o of ['allow', 'step_up', 'deny'] as const)
    rows.push([
      o,
      num(r.now.outcomes[o]),
      num(r.candidate.outcomes[o]),
      signed(r.candidate.outcomes[o] - r.now.outcomes[o]),
    ]);
  out.push(...table(rows), '');
  if (r.transitions.length === 0) out.push('transitions: none');
  else {
    out.push('transitions');
    for (const t of r.transitions)
      out.push(`  ${t.from}→${t.to}  ${num(t.count)}  e.g. ${t.examples.join(', ')}`);
  }
  out.push('');
  const prow = [['policy', 'matched now', 'cand.', 'step-up now', 'cand.', 'deny now', 'cand.']];
  for (const p of r.policies) {
    const side = (s: typeof p.now) =>
      s
        ? [num(s.matched) + (s.reportOnly ? ' (ro)' : ''), pct(s.stepUpRate), pct(s.denyRate)]
        : ['—', '—', '—'];
    const [mn, sn, dn] = side(p.now);
    const [mc, sc, dc] = side(p.candidate);
    prow.push([p.policyId, mn!, mc!, sn!, sc!, dn!, dc!]);
  }
  out.push(...table(prow), '');
  const { fraud, legit } = r.labels;
  out.push(
    `labels: fraud ${num(fraud.labelled)} (${num(fraud.replayable)} replayable): stopped ${num(fraud.stoppedNow)} now, ${num(fraud.stoppedCandidate)} with the candidate; missed ${num(fraud.missedNow)} → ${num(fraud.missedCandidate)}`,
    `        legit ${num(legit.labelled)} (${num(legit.replayable)} replayable): challenged ${num(legit.challengedNow)} now, ${num(legit.challengedCandidate)} with the candidate`,
    '',
  );
  const f = r.friction;
  out.push(
    `friction: ${f.now.challengesPer1000.toFixed(1)} → ${f.candidate.challengesPer1000.toFixed(1)} challenges per 1,000 decisions; completion ${pct(f.challenges.completionRate)} (${num(f.challenges.verified)}/${num(f.challenges.created)})`,
  );
  for (const [m, s] of Object.entries(f.methods))
    out.push(
      `  ${m}: started ${num(s.started)}, verified ${num(s.verified)} (${pct(s.completionRate)}), median ${s.medianSeconds === null ? '—' : `${s.medianSeconds} s`}`,
    );
  if (f.abandonedChange !== null)
    out.push(`  abandoned challenges: ${signed(Math.round(f.abandonedChange))} over the window`);
  return out;
}
