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
