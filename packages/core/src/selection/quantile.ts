import { SentrlError } from "../errors.js";

/** In-place numeric nth-element on a[lo..hi]: afterwards a[kth] is the value of rank kth in that range. */
function nthElement(a: Float64Array, lo: number, hi: number, kth: number): void {
  while (hi > lo) {
    if (hi - lo < 16) {
      for (let i = lo + 1; i <= hi; i++) {
        const x = a[i];
        let j = i - 1;
        while (j >= lo && a[j] > x) {
          a[j + 1] = a[j];
          j--;
        }
        a[j + 1] = x;
      }
      return;
    }
    const mid = lo + ((hi - lo) >>> 1);
    // median of three as pivot value
    const x = a[lo];
    const y = a[mid];
    const z = a[hi];
    const p = Math.max(Math.min(x, y), Math.min(Math.max(x, y), z));
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < p) i++;
      while (a[j] > p) j--;
      if (i <= j) {
        const t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    }
    if (kth <= j) hi = j;
    else if (kth >= i) lo = i;
    else return;
  }
}

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
  // ranks needed, ascending, so each selection can start where the previous one ended
  const ranks = new Set<number>();
  for (const q of qs) {
    const pos = q * (n - 1);
    ranks.add(Math.floor(pos));
    ranks.add(Math.min(n - 1, Math.floor(pos) + 1));
  }
  const sortedRanks = [...ranks].sort((x, y) => x - y);
  let lo = 0;
  const at = new Map<number, number>();
  for (const r of sortedRanks) {
    nthElement(a, lo, n - 1, r);
    at.set(r, a[r]);
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
