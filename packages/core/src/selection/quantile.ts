import { SentrlError } from "../errors.js";
import { nthElement } from "./nth-element.js";

/**
 * Quantiles with linear interpolation between order statistics (numpy's default `linear` method, also
 * `torch.quantile`'s): for q ∈ [0, 1], position `q·(n−1)`. Uses selection (O(n) per quantile), not a sort.
 * Returns NaN for every q when `values` is empty. The input is not modified.
 *
 * @example
 * ```ts
 * import { quantiles } from "@sentrl/core";
 * quantiles([4, 1, 3, 2], [0.1, 0.5, 0.9]); // [1.3, 2.5, 3.7]
 * ```
 */
export function quantiles(values: ArrayLike<number>, qs: readonly number[]): number[] {
  for (const q of qs) {
    if (!(q >= 0 && q <= 1)) throw new SentrlError("SELECTION_BAD_QUANTILE", `quantile must be in [0, 1], got ${q}`);
  }
  const n = values.length;
  if (n === 0) return qs.map(() => Number.NaN);
  const a = Float64Array.from(values as ArrayLike<number>);
  // floor ranks ascending, each selected on the range left by the previous one; rank r+1 is then min(a[r+1..n))
  const floors = [...new Set(qs.map((q) => Math.floor(q * (n - 1))))].sort((x, y) => x - y);
  const at = new Map<number, number>();
  let lo = 0;
  for (const r of floors) {
    nthElement(a, lo, n - 1, r);
    at.set(r, a[r]);
    if (r + 1 < n && !at.has(r + 1)) {
      let m = a[r + 1];
      for (let i = r + 2; i < n; i++) if (a[i] < m) m = a[i];
      at.set(r + 1, m);
    }
    lo = r;
  }
  return qs.map((q) => {
    const pos = q * (n - 1);
    const f = Math.floor(pos);
    const v0 = at.get(f)!;
    const frac = pos - f;
    if (frac === 0) return v0;
    const v1 = at.get(Math.min(n - 1, f + 1))!;
    return v0 + (v1 - v0) * frac;
  });
}
