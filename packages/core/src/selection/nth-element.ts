/**
 * In-place numeric nth-element on a[lo..hi] (quickselect, median-of-three pivot): afterwards a[kth] holds the value
 * of rank kth in that range, smaller-or-equal values before it and greater-or-equal after it. NaN-free input only.
 */
export function nthElement(a: Float64Array, lo: number, hi: number, kth: number): void {
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
 * In-place multi-rank selection: afterwards `a[r]` holds the value of rank r (0-based, ascending) for every r in
 * `ranks`, and the array is partitioned around each of them. Divide and conquer (select the middle rank, recurse on
 * both sides), so several ranks cost about as much as a couple of single selections — no sort.
 *
 * @example
 * ```ts
 * import { selectRanks } from "@sentrl/core";
 * const a = Float64Array.from([5, 1, 4, 2, 3]);
 * selectRanks(a, [0, 2, 4]);
 * [a[0], a[2], a[4]]; // [1, 3, 5]
 * ```
 */
export function selectRanks(a: Float64Array, ranks: readonly number[]): void {
  const rs = [...new Set(ranks)].filter((r) => r >= 0 && r < a.length).sort((x, y) => x - y);
  const rec = (lo: number, hi: number, rlo: number, rhi: number): void => {
    if (rlo > rhi || lo > hi) return;
    const m = (rlo + rhi) >>> 1;
    const r = rs[m];
    nthElement(a, lo, hi, r);
    rec(lo, r - 1, rlo, m - 1);
    rec(r + 1, hi, m + 1, rhi);
  };
  rec(0, a.length - 1, 0, rs.length - 1);
}
