/**
 * The verdict's `risk`, computed on first read. Matching needs only the signals policies read;
 * the full score (geo-velocity, IP lists, weights) is computed when the caller first reads
 * `risk.score`, `risk.level` or `risk.signals`, or serialises the verdict. After that first
 * read the values are own data properties, so spreading, cloning and `Object.keys` see them.
 */
import type { DecisionRequest, Risk, RiskLevel } from '@stepgate/protocol';
import { completeSignals, type RiskConfig, type Signals } from './signals.js';
import type { HistorySnapshot } from './types.js';

/** A `Risk` whose score is computed when first read. */
export class LazyRisk implements Risk {
  #s: Signals;
  #request: DecisionRequest | undefined;
  #now: number;
  #history: HistorySnapshot;
  #cfg: RiskConfig;
  #done: number;

  /** `done`: the signal groups already in `s`. */
  constructor(
    s: Signals,
    request: DecisionRequest,
    now: number,
    history: HistorySnapshot,
    cfg: RiskConfig,
    done: number,
  ) {
    this.#s = s;
    this.#done = done;
    this.#request = request;
    this.#now = now;
    this.#history = history;
    this.#cfg = cfg;
  }

  #materialize(): Risk {
    if (this.#request !== undefined) {
      completeSignals(
        this.#s,
        this.#request,
        this.#request.action?.name ?? '',
        this.#now,
        this.#history,
        this.#cfg,
        this.#done,
      );
      this.#request = undefined;
      const s = this.#s;
      for (const [key, value] of [
        ['score', s.score],
        ['level', s.level],
        ['signals', s],
      ] as const) {
        Object.defineProperty(this, key, { value, enumerable: true, writable: true, configurable: true });
      }
    }
    return this;
  }

  get score(): number {
    return this.#materialize().score;
  }

  get level(): RiskLevel {
    return this.#materialize().level;
  }

  get signals(): Record<string, unknown> {
    return this.#materialize().signals;
  }

  /** The plain `{ score, level, signals }`, for `JSON.stringify`. */
  toJSON(): Risk {
    const r = this.#materialize();
    return { score: r.score, level: r.level, signals: r.signals };
  }
}

for (const key of ['score', 'level', 'signals']) {
  const d = Object.getOwnPropertyDescriptor(LazyRisk.prototype, key);
  if (d) Object.defineProperty(LazyRisk.prototype, key, { ...d, enumerable: true });
}
