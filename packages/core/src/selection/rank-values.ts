import { selectRanks } from "./nth-element.js";

/**
 * The values of the given ranks (0-based, ascending order) of `values`, without modifying it and without a sort:
 * `out[j]` is the value a full ascending sort would hold at `ranks[j]`. A multi-rank quickselect
 * ({@link selectRanks}) on a float64 copy: expected O(n) for a few ranks. Values must be NaN-free (`-0` and `+0` are
 * equal values; the one returned at a rank where both meet may be either). Out-of-range ranks give NaN.
 *
 * @example
 * ```ts
 * import { rankValues } from "@sentrl/core";
 * rankValues([5, 1, 4, 2, 3], [0, 2, 4]); // [1, 3, 5]
 * ```
 */
export function rankValues(values: ArrayLike<number>, ranks: readonly number[]): number[] {
  const n = values.length;
  if (n === 0) return ranks.map(() => Number.NaN);
  const a = Float64Array.from(values);
  selectRanks(a, ranks);
  return ranks.map((r) => (r >= 0 && r < n ? a[r] : Number.NaN));
}
