import {
  argKByThreshold,
  argLargestK,
  argSmallestK,
  kthRank,
  quantileRanks,
  quantilesOfRankValues,
  rankValues,
  SentrlError,
  type LossWorkspace,
  type TokenBatch,
  type TokenSelection,
} from "@sentrl/core";
import type { SentOptions } from "./options.js";

/** SENT's selection: the per-token penalty coefficient (β, 0 for unselected tokens). */
export interface SentSelection extends TokenSelection {
  tokens: { coef: Float64Array };
  metrics: Record<string, number>;
}

/** The scope's valid flat positions (row-major) and their entropies. */
export interface ValidTokens {
  /** Flat positions p with mask[p] = 1, ascending. */
  positions: Int32Array;
  /** entropy[positions[i]]. */
  entropy: Float64Array;
}

/**
 * Gathers the valid positions (row-major) and their entropies; `LOSS_MISSING_ENTROPY` / `LOSS_NON_FINITE` on bad
 * input. With a `workspace` the two arrays are views of reused workspace buffers (valid until its next use).
 *
 * @example
 * ```ts
 * import { validTokens } from "@sentrl/token-entropy-kl";
 * validTokens({ rows: 1, cols: 3, mask: new Uint8Array([1, 0, 1]), logp: new Float64Array(3),
 *   oldLogp: new Float64Array(3), advantages: new Float64Array(3), entropy: new Float64Array([1, 9, 2]) }, "sent");
 * // { positions: [0, 2], entropy: [1, 2] }
 * ```
 */
export function validTokens(scope: TokenBatch, loss: string, workspace?: LossWorkspace): ValidTokens {
  const { mask, entropy } = scope;
  if (!entropy) {
    throw new SentrlError(
      "LOSS_MISSING_ENTROPY",
      `\`entropy\` is required by the \`${loss}\` loss; pass the per-token entropies of the forward`,
    );
  }
  let n = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i] !== 0) n++;
  // workspace buffers of the scope's size (constant shape across calls), viewed to length n
  const size = mask.length;
  const positions = workspace ? workspace.i32("sent.positions", size).subarray(0, n) : new Int32Array(n);
  const ent = workspace ? workspace.f64("sent.validEntropy", size).subarray(0, n) : new Float64Array(n);
  for (let i = 0, j = 0; i < mask.length; i++) {
    if (mask[i] !== 0) {
      const e = entropy[i];
      if (Number.isNaN(e)) throw new SentrlError("LOSS_NON_FINITE", `entropy at flat position ${i} is NaN`);
      positions[j] = i;
      ent[j++] = e;
    }
  }
  return { positions, entropy: ent };
}

/**
 * Size of an entropy token set: `max(1, trunc(n · frac))` (Python `int()` semantics, same operand order).
 *
 * @example
 * ```ts
 * import { tokenSetSize } from "@sentrl/token-entropy-kl";
 * tokenSetSize(13, 0.8); // 10
 * tokenSetSize(100, 0.29); // 28 (0.29·100 = 28.999999999999996 in doubles)
 * ```
 */
export function tokenSetSize(n: number, frac: number): number {
  return Math.max(1, Math.trunc(n * frac));
}

/** Entropy quantiles reported as `sent/entropy_p10`, `_p50`, `_p90`. */
export const ENTROPY_QUANTILES = [0.1, 0.5, 0.9] as const;

/**
 * Indices into the valid-token list of the token set (the k lowest-entropy tokens for `low`, the k highest for
 * `high`), in ascending index order, plus the tie key that reproduces the set's ranked-list order (docs/algorithms.md §5.6):
 * ranking (entropy asc | entropy desc, index asc) is the same as comparing (`key` asc, index asc). One multi-rank
 * selection ({@link rankValues}: histogram + quickselect, no sort) finds both the set's threshold and the entropy
 * quantiles `qs`. With a `workspace`, `rankKey` is a view of a reused workspace buffer.
 *
 * @example
 * ```ts
 * import { entropyTokenSet } from "@sentrl/token-entropy-kl";
 * entropyTokenSet(new Float64Array([0.5, 0.1, 0.9, 0.3]), "low", 0.5).idx; // [1, 3]
 * ```
 */
export function entropyTokenSet(
  entropy: Float64Array,
  tokenSet: "low" | "high",
  frac: number,
  qs: readonly number[] = [],
  workspace?: LossWorkspace,
): { idx: Int32Array; rankKey: Float64Array; quantiles: number[] } {
  const n = entropy.length;
  const k = Math.min(n, tokenSetSize(n, frac));
  const largest = tokenSet === "high";
  let idx: Int32Array;
  let q: number[];
  if (n === 0) {
    idx = new Int32Array(0);
    q = qs.map(() => Number.NaN);
  } else {
    const rank = kthRank(n, k, largest);
    const [threshold, ...qv] = rankValues(entropy, [rank, ...quantileRanks(n, qs)]);
    idx = argKByThreshold(entropy, k, threshold, largest);
    q = quantilesOfRankValues(n, qs, qv);
  }
  const rankKey = workspace ? workspace.f64("sent.rankKey", n).subarray(0, idx.length) : new Float64Array(idx.length);
  const sign = largest ? -1 : 1;
  for (let j = 0; j < idx.length; j++) rankKey[j] = sign * entropy[idx[j]];
  return { idx, rankKey, quantiles: q };
}

/**
 * Mean in float64 as `x₀ + Σ(xᵢ − x₀)/n` over `values[at[i]]` (or all values): equal inputs give their value
 * exactly, so constant advantages (a GRPO group, an all-equal scope) give covariances of exactly 0 and the §5.6 tie
 * rule decides, instead of rounding noise of a plain sum.
 */
export function shiftedMean(values: ArrayLike<number>, at?: Int32Array): number {
  const n = at ? at.length : values.length;
  if (n === 0) return 0;
  const x0 = at ? values[at[0]] : values[0];
  let s = 0;
  if (at) for (let i = 0; i < n; i++) s += values[at[i]] - x0;
  else for (let i = 0; i < n; i++) s += values[i] - x0;
  return x0 + s / n;
}

function emptySelection(size: number, setName: string): SentSelection {
  return {
    tokens: { coef: new Float64Array(size) },
    metrics: {
      [setName]: 0,
      "sent/high_cov_tokens": 0,
      "sent/low_cov_tokens": 0,
      "sent/mean_coef": 0,
      "sent/entropy_p10": 0,
      "sent/entropy_p50": 0,
      "sent/entropy_p90": 0,
    },
  };
}

/**
 * SENT's selection phase (docs/algorithms.md §5.2 steps (a)–(d), §5.3 for `code-exact`, §5.5 for `paper`, §7.7 for
 * `tokenSet: "high"`). Reads only **detached** values of the scope — `mask`, `entropy`, `advantages` and `logp` (as a
 * constant) — so core may call it on any scope: the micro-batch (default, exact parity) or, for the `miniBatch`
 * scope, the whole mini-batch with rollout-time statistics (`oldLogp` passed as `logp`, the rollout entropy).
 * Statistics are in float64. Ties follow docs/algorithms.md §5.6: the entropy ranking breaks ties by flat index, the
 * covariance ranking by the token's place in the entropy-ranked list.
 *
 * An empty scope selects nothing (all coefficients 0). `code-exact` with a single row throws
 * `SENT_CODE_EXACT_ONE_ROW` (the reference raises an index error there).
 *
 * @example
 * ```ts
 * import { SENT_DEFAULTS, sentSelect } from "@sentrl/token-entropy-kl";
 * const sel = sentSelect({ rows: 1, cols: 3, mask: new Uint8Array([1, 1, 1]), logp: new Float64Array([-1, -2, -3]),
 *   oldLogp: new Float64Array(3), advantages: new Float64Array([1, 1, 1]), entropy: new Float64Array([0.1, 0.2, 3]) },
 *   SENT_DEFAULTS);
 * sel.tokens.coef; // β per token: 0.05 on the lowest-entropy token here (constant advantages → all cov 0 → tie rule)
 * ```
 */
export function sentSelect(scope: TokenBatch, o: SentOptions, workspace?: LossWorkspace): SentSelection {
  const { rows, cols, mask } = scope;
  const size = rows * cols;
  const setName = o.tokenSet === "low" ? "sent/low_entropy_tokens" : "sent/high_entropy_tokens";
  const { positions: V, entropy: E } = validTokens(scope, "sent", workspace);
  const n = V.length;
  if (n === 0) return emptySelection(size, setName);
  if (o.mode === "code-exact" && rows < 2) {
    throw new SentrlError(
      "SENT_CODE_EXACT_ONE_ROW",
      "mode `code-exact` needs at least 2 rows in the selection scope: the reference indexes rows by mask values " +
        "(0/1) and raises on a single row; use mode `code-intended` or pass at least 2 rows",
    );
  }
  const frac = o.tokenSet === "low" ? o.lowEntropyFrac : o.highEntropyFrac;
  const { idx: L, rankKey, quantiles: entropyQ } = entropyTokenSet(E, o.tokenSet, frac, ENTROPY_QUANTILES, workspace);
  const m = L.length;
  const A = scope.advantages;
  const logp = scope.logp;

  // covariance statistics (float64, detached)
  const a = workspace ? workspace.f64("sent.a", size).subarray(0, m) : new Float64Array(m);
  const l = workspace ? workspace.f64("sent.l", size).subarray(0, m) : new Float64Array(m);
  if (o.mode === "code-exact") {
    // docs/algorithms.md §5.3: `A[maskInt].reshape(-1)[f]` = A[maskFlat[floor(f / L)], f mod L] with f the index in V
    for (let j = 0; j < m; j++) {
      const f = L[j];
      const src = mask[Math.floor(f / cols)] * cols + (f % cols);
      a[j] = A[src];
      l[j] = logp[src];
    }
  } else {
    for (let j = 0; j < m; j++) {
      const p = V[L[j]];
      a[j] = A[p];
      l[j] = logp[p];
    }
  }
  let ma: number;
  let ml: number;
  if (o.mode === "paper") {
    // paper: centred on the means over ALL valid tokens of the scope
    ma = shiftedMean(A, V);
    ml = shiftedMean(logp, V);
  } else {
    ma = shiftedMean(a);
    ml = shiftedMean(l);
  }
  const cov = a; // reuse the buffer: cov_j = (a_j − mean a)(l_j − mean l)
  for (let j = 0; j < m; j++) cov[j] = (a[j] - ma) * (l[j] - ml);

  const kCov = Math.max(1, Math.trunc(m * o.klCovRatio));
  const ties = { sorted: false, tieKeys: [rankKey, L] };
  const hi = argLargestK(cov, kCov, ties);
  const coef = workspace ? workspace.f64Zeroed("sent.coef", size) : new Float64Array(size);
  let highCount = 0;
  let lowCount = 0;
  let coefSum = 0;
  if (o.mode === "paper") {
    for (let j = 0; j < m; j++) coef[V[L[j]]] = o.betaLow;
    for (let h = 0; h < hi.length; h++) coef[V[L[hi[h]]]] = o.betaHigh;
    highCount = hi.length;
    lowCount = m - hi.length;
    coefSum = highCount * o.betaHigh + lowCount * o.betaLow;
  } else {
    const lo = argSmallestK(cov, kCov, ties);
    const betaHigh = o.ppoKlCoef * o.highCovCoef;
    const betaLow = o.ppoKlCoef * o.lowCovCoef;
    // 1 = high, 2 = low (the low write comes second and wins)
    const mark = workspace ? workspace.u8("sent.mark", size).fill(0, 0, m) : new Uint8Array(m);
    for (let h = 0; h < hi.length; h++) mark[hi[h]] = 1;
    for (let t = 0; t < lo.length; t++) mark[lo[t]] = 2;
    for (let h = 0; h < hi.length; h++) coef[V[L[hi[h]]]] = betaHigh;
    for (let t = 0; t < lo.length; t++) coef[V[L[lo[t]]]] = betaLow;
    for (let h = 0; h < hi.length; h++) if (mark[hi[h]] === 1) highCount++;
    lowCount = lo.length;
    coefSum = highCount * betaHigh + lowCount * betaLow;
  }
  const [p10, p50, p90] = entropyQ;
  return {
    tokens: { coef },
    metrics: {
      [setName]: m,
      "sent/high_cov_tokens": highCount,
      "sent/low_cov_tokens": lowCount,
      "sent/mean_coef": coefSum / n,
      "sent/entropy_p10": p10,
      "sent/entropy_p50": p50,
      "sent/entropy_p90": p90,
    },
  };
}
