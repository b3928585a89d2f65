import { selectRanks } from "./nth-element.js";

/** Below this length a plain multi-rank quickselect on a copy is cheaper than the histogram passes. */
const SMALL = 1 << 15;
/** Buckets of the first pass: the top 16 bits of the order-preserving 64-bit key. */
const BUCKETS = 1 << 16;
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
/** Per-call scratch (the histogram and the bucket → slot map), reused. */
const HIST = new Int32Array(BUCKETS);
const SLOT = new Int32Array(BUCKETS);

/**
 * The values of the given ranks (0-based, ascending order) of `values`, without modifying it and without a sort:
 * `out[j]` is the value a full ascending sort would hold at `ranks[j]`. For large inputs one histogram pass over
 * the top 16 bits of each float64's order-preserving bit key (sign, exponent, 4 mantissa bits) finds the bucket of
 * every rank, a second pass copies only those buckets' values, and a quickselect runs on each (small) bucket; small
 * inputs go straight to {@link selectRanks} on a copy. Values must be NaN-free (`-0` and `+0` are equal values; the
 * one returned at a rank where both meet may be either). Out-of-range ranks give NaN.
 *
 * @example
 * ```ts
 * import { rankValues } from "@sentrl/core";
 * rankValues([5, 1, 4, 2, 3], [0, 2, 4]); // [1, 3, 5]
 * ```
 */
export function rankValues(values: ArrayLike<number>, ranks: readonly number[]): number[] {
  const n = values.length;
  const out = ranks.map(() => Number.NaN);
  if (n === 0) return out;
  if (n < SMALL || !LITTLE_ENDIAN) {
    const a = Float64Array.from(values as ArrayLike<number>);
    selectRanks(a, ranks);
    return ranks.map((r) => (r >= 0 && r < n ? a[r] : Number.NaN));
  }
  const f64 =
    values instanceof Float64Array && (values.byteOffset & 7) === 0
      ? values
      : Float64Array.from(values as ArrayLike<number>);
  // little-endian: the high word (sign, exponent, top mantissa bits) of element i is hi[2i + 1]
  const hi = new Int32Array(f64.buffer, f64.byteOffset, 2 * n);
  const hist = HIST.fill(0);
  for (let s = 0; s < n; s += BLOCK) histogramBlock(hi, hist, s, Math.min(n, s + BLOCK));

  // bucket of every (valid, distinct) rank and the rank inside its bucket
  const wanted = [...new Set(ranks)].filter((r) => r >= 0 && r < n).sort((x, y) => x - y);
  const bucketOf: number[] = [];
  const startOf: number[] = [];
  let b = 0;
  let before = 0; // values in buckets < b
  for (const r of wanted) {
    while (before + hist[b] <= r) before += hist[b++];
    bucketOf.push(b);
    startOf.push(before);
  }
  // one segment per distinct target bucket, in a single buffer
  const slot = SLOT;
  const targets = [...new Set(bucketOf)];
  const offsets = new Int32Array(targets.length + 1);
  for (let t = 0; t < targets.length; t++) {
    slot[targets[t]] = t + 1;
    offsets[t + 1] = offsets[t] + hist[targets[t]];
  }
  const buf = new Float64Array(offsets[targets.length]);
  const fill = offsets.slice(0, targets.length);
  for (let s = 0; s < n; s += BLOCK) gatherBlock(hi, f64, slot, buf, fill, s, Math.min(n, s + BLOCK));
  for (const t of targets) slot[t] = 0;

  const atRank = new Map<number, number>();
  for (let t = 0; t < targets.length; t++) {
    const seg = buf.subarray(offsets[t], offsets[t + 1]);
    const local: number[] = [];
    for (let j = 0; j < wanted.length; j++) if (bucketOf[j] === targets[t]) local.push(wanted[j] - startOf[j]);
    selectRanks(seg, local);
    for (let j = 0; j < wanted.length; j++)
      if (bucketOf[j] === targets[t]) atRank.set(wanted[j], seg[wanted[j] - startOf[j]]);
  }
  return ranks.map((r) => atRank.get(r) ?? Number.NaN);
}

/** Values per kernel call: kernels called often are optimised by V8 as whole functions. */
const BLOCK = 4096;

/** Order-preserving key of a float64's high word (negative: all bits flipped; positive: sign bit set), top 16 bits. */
function histogramBlock(hi: Int32Array, hist: Int32Array, start: number, end: number): void {
  for (let i = start; i < end; i++) {
    const h = hi[2 * i + 1];
    hist[(h ^ ((h >> 31) | 0x80000000)) >>> 16]++;
  }
}

/** Copies the values whose bucket has a slot (`slot[bucket] = t + 1`) to `buf` at `fill[t]`. */
function gatherBlock(
  hi: Int32Array,
  values: Float64Array,
  slot: Int32Array,
  buf: Float64Array,
  fill: Int32Array,
  start: number,
  end: number,
): void {
  for (let i = start; i < end; i++) {
    const h = hi[2 * i + 1];
    const t = slot[(h ^ ((h >> 31) | 0x80000000)) >>> 16];
    if (t !== 0) buf[fill[t - 1]++] = values[i];
  }
}
