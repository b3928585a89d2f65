import { ComputeError } from "../errors.js";

/**
 * Reference decoding kernels (see `KvCacheWriteArgs`, `CachedAttentionArgs` in backend.ts) and the argument checks
 * every CPU backend shares, so that all of them reject the same calls with the same codes.
 */

function dims(what: string, values: Record<string, number>): void {
  for (const [k, v] of Object.entries(values)) {
    if (!Number.isInteger(v) || v < 0) throw new ComputeError("BACKEND_SHAPE", `${what}: ${k} must be a non-negative integer, got ${v}`);
  }
}

/** Checks a `kvCacheWrite` call against the cache's length; returns the number of slots the cache holds. */
export function checkKvCacheWrite(cacheLength: number, slots: Int32Array, positions: Int32Array, rows: number, capacity: number, width: number): number {
  dims("kvCacheWrite", { rows, capacity, width });
  if (slots.length < rows || positions.length < rows) throw new ComputeError("BACKEND_SHAPE", `kvCacheWrite: ${slots.length} slots and ${positions.length} positions for ${rows} rows`);
  const nSlots = capacity * width === 0 ? 0 : Math.floor(cacheLength / (capacity * width));
  for (let r = 0; r < rows; r++) {
    const s = slots[r];
    if (s < 0) continue;
    if (s >= nSlots) throw new ComputeError("BACKEND_INDEX_OUT_OF_RANGE", `kvCacheWrite: slot ${s} at row ${r} is outside [0, ${nSlots})`);
    const p = positions[r];
    if (p < 0 || p >= capacity) throw new ComputeError("BACKEND_INDEX_OUT_OF_RANGE", `kvCacheWrite: position ${p} at row ${r} is outside [0, ${capacity})`);
  }
  return nSlots;
}

/** Checks a `cachedAttention` call against the caches' lengths. */
export function checkCachedAttention(cacheLength: number, slots: Int32Array, lengths: Int32Array, rows: number, capacity: number, heads: number, kvHeads: number, headDim: number): void {
  dims("cachedAttention", { rows, capacity, heads, kvHeads, headDim });
  if (kvHeads === 0 || heads % kvHeads !== 0) throw new ComputeError("BACKEND_SHAPE", `cachedAttention: heads (${heads}) must be a multiple of kvHeads (${kvHeads})`);
  if (slots.length < rows || lengths.length < rows) throw new ComputeError("BACKEND_SHAPE", `cachedAttention: ${slots.length} slots and ${lengths.length} lengths for ${rows} rows`);
  const width = kvHeads * headDim;
  const nSlots = capacity * width === 0 ? 0 : Math.floor(cacheLength / (capacity * width));
  for (let r = 0; r < rows; r++) {
    const s = slots[r];
    if (s < 0) continue;
    if (s >= nSlots) throw new ComputeError("BACKEND_INDEX_OUT_OF_RANGE", `cachedAttention: slot ${s} at row ${r} is outside [0, ${nSlots})`);
    const n = lengths[r];
    if (!(n >= 0 && n <= capacity)) throw new ComputeError("BACKEND_INDEX_OUT_OF_RANGE", `cachedAttention: length ${n} at row ${r} is outside [0, ${capacity}]`);
  }
}

/** Checks a `copy` call. */
export function checkCopy(dstLength: number, srcLength: number, length: number, dstOffset: number, srcOffset: number): void {
  dims("copy", { length, dstOffset, srcOffset });
  if (dstOffset + length > dstLength || srcOffset + length > srcLength) throw new ComputeError("BACKEND_SHAPE", `copy: ${length} values from offset ${srcOffset} of ${srcLength} to offset ${dstOffset} of ${dstLength} run past the end`);
}

/** Reference `kvCacheWrite` (arguments checked by `checkKvCacheWrite`). */
export function kvCacheWrite(cache: Float32Array, src: Float32Array, slots: Int32Array, positions: Int32Array, rows: number, capacity: number, width: number): void {
  for (let r = 0; r < rows; r++) {
    if (slots[r] < 0) continue;
    cache.set(src.subarray(r * width, (r + 1) * width), (slots[r] * capacity + positions[r]) * width);
  }
}

/** Reference `cachedAttention`: float64 scores and softmax, one query head at a time. */
export function cachedAttention(
  out: Float32Array,
  q: Float32Array,
  kCache: Float32Array,
  vCache: Float32Array,
  slots: Int32Array,
  lengths: Int32Array,
  rows: number,
  capacity: number,
  heads: number,
  kvHeads: number,
  headDim: number,
): void {
  const group = heads / kvHeads;
  const qw = heads * headDim;
  const kw = kvHeads * headDim;
  const scale = 1 / Math.sqrt(headDim);
  let scores = new Float64Array(16);
  const acc = new Float64Array(headDim);
  for (let r = 0; r < rows; r++) {
    const n = slots[r] < 0 ? 0 : lengths[r];
    if (scores.length < n) scores = new Float64Array(n);
    const base = slots[r] * capacity * kw;
    for (let h = 0; h < heads; h++) {
      const qo = r * qw + h * headDim;
      const kh = Math.floor(h / group) * headDim;
      if (n === 0) {
        out.fill(0, qo, qo + headDim);
        continue;
      }
      let max = Number.NEGATIVE_INFINITY;
      for (let s = 0; s < n; s++) {
        const ko = base + s * kw + kh;
        let d = 0;
        for (let i = 0; i < headDim; i++) d += q[qo + i] * kCache[ko + i];
        scores[s] = d * scale;
        if (scores[s] > max) max = scores[s];
      }
      let sum = 0;
      for (let s = 0; s < n; s++) {
        scores[s] = Math.exp(scores[s] - max);
        sum += scores[s];
      }
      acc.fill(0);
      for (let s = 0; s < n; s++) {
        const p = scores[s] / sum;
        const vo = base + s * kw + kh;
        for (let i = 0; i < headDim; i++) acc[i] += p * vCache[vo + i];
      }
      for (let i = 0; i < headDim; i++) out[qo + i] = acc[i];
    }
  }
}
