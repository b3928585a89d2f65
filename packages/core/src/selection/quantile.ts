import { SentrlError } from "../errors.js";
import { selectRanks } from "./nth-element.js";

/** The order-statistic ranks that linear-interpolated quantiles of n values read (see {@link quantilesOfSelected}). */
export function quantileRanks(n: number, qs: readonly number[]): number[] {
  const ranks: number[] = [];
  for (const q of qs) {
    if (!(q >= 0 && q <= 1)) throw new SentrlError("SELECTION_BAD_QUANTILE", `quantile must be in [0, 1], got ${q}`);
    const f = Math.floor(q * (n - 1));
    ranks.push(f, Math.min(n - 1, f + 1));
  }
  return ranks;
}

/**
 * Quantiles read from an array on which {@link selectRanks} already placed the ranks of {@link quantileRanks}
 * (lets a caller share one selection pass between a top-k threshold and its quantile metrics).
 */
export function quantilesOfSelected(a: Float64Array, qs: readonly number[]): number[] {
  const n = a.length;
  return qs.map((q) => {
    if (n === 0) return Number.NaN;
    const pos = q * (n - 1);
    const f = Math.floor(pos);
    const frac = pos - f;
    return frac === 0 ? a[f] : a[f] + (a[Math.min(n - 1, f + 1)] - a[f]) * frac;
  });
}

/**
 * Quantiles with linear interpolation between order statistics (numpy's default `linear` method, also
 * `torch.quantile`'s): for q ∈ [0, 1], position `q·(n−1)`. Uses multi-rank selection, not a sort.
 * Returns NaN for every q when `values` is empty. The input is not modified.
 *
 * @example
 * ```ts
 * import { quantiles } from "@sentrl/core";
 * quantiles([4, 1, 3, 2], [0.1, 0.5, 0.9]); // [1.3, 2.5, 3.7]
 * ```
 */
export function quantiles(values: ArrayLike<number>, qs: readonly number[]): number[] {
  const ranks = quantileRanks(values.length, qs);
  if (values.length === 0) return qs.map(() => Number.NaN);
  const a = Float64Array.from(values as ArrayLike<number>);
  selectRanks(a, ranks);
  return quantilesOfSelected(a, qs);
}
