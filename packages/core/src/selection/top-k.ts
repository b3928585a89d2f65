import { SentrlError } from "../errors.js";
import { rankValues } from "./rank-values.js";

/**
 * Options of {@link argSmallestK} / {@link argLargestK}.
 */
export interface TopKOptions {
  /**
   * Return the k indices in ranked order (default `true`). With `false` the k chosen indices come back in an
   * unspecified order, which skips the final O(k log k) sort (the set itself is the same).
   */
  sorted?: boolean;
  /**
   * Extra keys compared **ascending**, in order, when two values are exactly equal; the index decides last.
   * Use it when the "position in the ranked list" of docs/algorithms.md §5.6 is not the array index itself (e.g. SENT ranks
   * covariances of a low-entropy set whose list order is (entropy asc, flat index asc)).
   */
  tieKeys?: readonly ArrayLike<number>[];
}

/** `before(i, j)`: true when index i ranks strictly before index j (a strict total order on indices). */
type Before = (i: number, j: number) => boolean;

function makeBefore(values: ArrayLike<number>, largest: boolean, tieKeys: readonly ArrayLike<number>[]): Before {
  const nk = tieKeys.length;
  const tie = (i: number, j: number): boolean => {
    for (let t = 0; t < nk; t++) {
      const key = tieKeys[t];
      const a = key[i];
      const b = key[j];
      if (a < b) return true;
      if (a > b) return false;
    }
    return i < j;
  };
  if (largest) {
    return (i, j) => {
      const a = values[i];
      const b = values[j];
      return a > b || (a === b && tie(i, j));
    };
  }
  return (i, j) => {
    const a = values[i];
    const b = values[j];
    return a < b || (a === b && tie(i, j));
  };
}

function insertionSort(idx: Int32Array, lo: number, hi: number, before: Before): void {
  for (let i = lo + 1; i <= hi; i++) {
    const x = idx[i];
    let j = i - 1;
    while (j >= lo && before(x, idx[j])) {
      idx[j + 1] = idx[j];
      j--;
    }
    idx[j + 1] = x;
  }
}

/** Median-of-three pivot, Hoare partition. Returns [j, i]: idx[lo..j] rank ≤ pivot, idx[i..hi] rank ≥ pivot. */
function partition(idx: Int32Array, lo: number, hi: number, before: Before): [number, number] {
  const mid = lo + ((hi - lo) >>> 1);
  let a = idx[lo];
  let b = idx[mid];
  let c = idx[hi];
  if (before(b, a)) [a, b] = [b, a];
  if (before(c, b)) {
    [b, c] = [c, b];
    if (before(b, a)) [a, b] = [b, a];
  }
  idx[lo] = a;
  idx[mid] = b;
  idx[hi] = c;
  const p = b;
  let i = lo;
  let j = hi;
  while (i <= j) {
    while (before(idx[i], p)) i++;
    while (before(p, idx[j])) j--;
    if (i <= j) {
      const t = idx[i];
      idx[i] = idx[j];
      idx[j] = t;
      i++;
      j--;
    }
  }
  return [j, i];
}

/** In-place introsort of idx[lo..hi] by `before`. */
function sortRange(idx: Int32Array, lo: number, hi: number, before: Before, depth = 64): void {
  while (hi - lo > 16) {
    if (depth-- <= 0) {
      heapSortRange(idx, lo, hi, before);
      return;
    }
    const [j, i] = partition(idx, lo, hi, before);
    // recurse on the smaller side, loop on the larger one
    if (j - lo < hi - i) {
      sortRange(idx, lo, j, before, depth);
      lo = i;
    } else {
      sortRange(idx, i, hi, before, depth);
      hi = j;
    }
  }
  insertionSort(idx, lo, hi, before);
}

function heapSortRange(idx: Int32Array, lo: number, hi: number, before: Before): void {
  const n = hi - lo + 1;
  // max-heap by rank: the root is the element that ranks last
  const sift = (start: number, end: number) => {
    let root = start;
    for (;;) {
      let child = 2 * root + 1;
      if (child >= end) return;
      if (child + 1 < end && before(idx[lo + child], idx[lo + child + 1])) child++;
      if (!before(idx[lo + root], idx[lo + child])) return;
      const t = idx[lo + root];
      idx[lo + root] = idx[lo + child];
      idx[lo + child] = t;
      root = child;
    }
  };
  for (let s = (n >>> 1) - 1; s >= 0; s--) sift(s, n);
  for (let end = n - 1; end > 0; end--) {
    const t = idx[lo];
    idx[lo] = idx[lo + end];
    idx[lo + end] = t;
    sift(0, end);
  }
}

/** Quickselect: afterwards idx[0..k) are the k best-ranked indices (unordered). */
function quickselect(idx: Int32Array, k: number, before: Before): void {
  let lo = 0;
  let hi = idx.length - 1;
  const kth = k - 1;
  let depth = 2 * Math.ceil(Math.log2(idx.length + 1)) + 8;
  while (hi - lo > 16) {
    if (depth-- <= 0) {
      sortRange(idx, lo, hi, before);
      return;
    }
    const [j, i] = partition(idx, lo, hi, before);
    if (kth <= j) hi = j;
    else if (kth >= i) lo = i;
    else return;
  }
  insertionSort(idx, lo, hi, before);
}

/** Bounded heap: keeps the k best-ranked indices; the root is the worst kept one. */
function heapSelect(n: number, k: number, before: Before): Int32Array {
  const heap = new Int32Array(k);
  // worse(a, b): a ranks after b → a belongs nearer the root
  const siftDown = (pos: number) => {
    const x = heap[pos];
    for (;;) {
      let child = 2 * pos + 1;
      if (child >= k) break;
      if (child + 1 < k && before(heap[child], heap[child + 1])) child++;
      if (!before(x, heap[child])) break;
      heap[pos] = heap[child];
      pos = child;
    }
    heap[pos] = x;
  };
  for (let i = 0; i < k; i++) heap[i] = i;
  for (let s = (k >>> 1) - 1; s >= 0; s--) siftDown(s);
  for (let i = k; i < n; i++) {
    if (before(i, heap[0])) {
      heap[0] = i;
      siftDown(0);
    }
  }
  return heap;
}

/**
 * The k best indices given the k-th best value `threshold` (found e.g. by {@link selectRanks} on a copy): every index
 * strictly better than it and, in index order, as many equal ones as needed — exactly the (value, position) rule of
 * docs/algorithms.md §5.6. Returns the indices in ascending index order.
 *
 * @example
 * ```ts
 * import { argKByThreshold } from "@sentrl/core";
 * argKByThreshold([3, 1, 2, 1], 2, 1, false); // Int32Array [1, 3]
 * ```
 */
export function argKByThreshold(values: ArrayLike<number>, k: number, threshold: number, largest: boolean): Int32Array {
  const n = values.length;
  const t = threshold;
  let better = 0;
  if (largest) {
    for (let i = 0; i < n; i++) if (values[i] > t) better++;
  } else {
    for (let i = 0; i < n; i++) if (values[i] < t) better++;
  }
  let equalLeft = k - better;
  const out = new Int32Array(k);
  let j = 0;
  for (let i = 0; i < n && j < k; i++) {
    const v = values[i];
    if (largest ? v > t : v < t) out[j++] = i;
    else if (v === t && equalLeft > 0) {
      out[j++] = i;
      equalLeft--;
    }
  }
  return out;
}

/** Rank (ascending, 0-based) of the k-th best value: k−1 for "smallest", n−k for "largest". */
export function kthRank(n: number, k: number, largest: boolean): number {
  return largest ? n - k : k - 1;
}

/** Large k without tie keys: the k-th value by {@link rankValues} (no index indirection), then the threshold rule. */
function thresholdSelect(values: ArrayLike<number>, k: number, largest: boolean): Int32Array {
  const rank = kthRank(values.length, k, largest);
  return argKByThreshold(values, k, rankValues(values, [rank])[0], largest);
}

function topK(values: ArrayLike<number>, k: number, largest: boolean, options: TopKOptions): Int32Array {
  const n = values.length;
  if (!Number.isInteger(k) || k < 0) {
    throw new SentrlError("SELECTION_BAD_K", `k must be a non-negative integer, got ${k}`);
  }
  const kk = Math.min(k, n);
  if (kk === 0) return new Int32Array(0);
  const before = makeBefore(values, largest, options.tieKeys ?? []);
  const sorted = options.sorted ?? true;
  let out: Int32Array;
  if (kk <= 64 || kk * 64 <= n) {
    out = heapSelect(n, kk, before);
  } else if (kk < n && (options.tieKeys?.length ?? 0) === 0) {
    out = thresholdSelect(values, kk, largest);
  } else {
    const idx = new Int32Array(n);
    for (let i = 0; i < n; i++) idx[i] = i;
    if (kk < n) quickselect(idx, kk, before);
    out = kk < n ? idx.slice(0, kk) : idx;
  }
  if (sorted) sortRange(out, 0, out.length - 1, before);
  return out;
}

/**
 * Indices of the k smallest values, ranked by (value asc, position asc): the tie rule of docs/algorithms.md §5.6
 * ("smallest" = value ascending, then lower position first). Uses a bounded heap for small k and quickselect
 * otherwise (never a full sort of the input); O(n + k log k). `k > values.length` returns every index.
 * Values are compared exactly; the caller must reject NaN.
 *
 * @example
 * ```ts
 * import { argSmallestK } from "@sentrl/core";
 * argSmallestK([3, 1, 2, 1], 3); // Int32Array [1, 3, 2]
 * ```
 */
export function argSmallestK(values: ArrayLike<number>, k: number, options: TopKOptions = {}): Int32Array {
  return topK(values, k, false, options);
}

/**
 * Indices of the k largest values, ranked by (value desc, position asc): the tie rule of docs/algorithms.md §5.6.
 * Same algorithm and options as {@link argSmallestK}.
 *
 * @example
 * ```ts
 * import { argLargestK } from "@sentrl/core";
 * argLargestK([3, 5, 5, 1], 2); // Int32Array [1, 2]
 * ```
 */
export function argLargestK(values: ArrayLike<number>, k: number, options: TopKOptions = {}): Int32Array {
  return topK(values, k, true, options);
}
