import { SentrlError } from "../errors.js";
import { rankValues } from "./rank-values.js";

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
 * Quantiles from the values at the ranks of {@link quantileRanks} (`rankValues[2i]`, `rankValues[2i + 1]` for
 * `qs[i]`, e.g. from {@link rankValues}), same arithmetic as {@link quantilesOfSelected}.
 *
 * @example
 * ```ts
 * import { quantileRanks, quantilesOfRankValues, rankValues } from "@sentrl/core";
 * const v = [4, 1, 3, 2];
 * quantilesOfRankValues(v.length, [0.5], rankValues(v, quantileRanks(v.length, [0.5]))); // [2.5]
 * ```
 */
export function quantilesOfRankValues(n: number, qs: readonly number[], values: readonly number[]): number[] {
  return qs.map((q, i) => {
    if (n === 0) return Number.NaN;
    const f = Math.floor(q * (n - 1));
    const frac = q * (n - 1) - f;
    const lo = values[2 * i];
    return frac === 0 ? lo : lo + (values[2 * i + 1] - lo) * frac;
  });
}

/**
 * Quantiles with linear interpolation between order statistics (numpy's default `linear` method, also
 * `torch.quantile`'s): for q ∈ [0, 1], position `q·(n−1)`. Uses {@link rankValues} (selection, not a sort).
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
  return quantilesOfRankValues(values.length, qs, rankValues(values, ranks));
}
