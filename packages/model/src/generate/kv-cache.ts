/**
 * Per-sequence key/value cache on the host: for each layer, rotated keys and values of every position so far,
 * `[length, kvHeads · headDim]`, grown by doubling.
 */
export class KvCache {
  /** Positions cached (the next token's position). */
  length = 0;
  private capacity: number;
  readonly keys: Float32Array[];
  readonly values: Float32Array[];

  constructor(
    readonly layers: number,
    readonly width: number,
    initialCapacity = 64,
  ) {
    this.capacity = Math.max(1, initialCapacity);
    this.keys = Array.from({ length: layers }, () => new Float32Array(this.capacity * width));
    this.values = Array.from({ length: layers }, () => new Float32Array(this.capacity * width));
  }

  /** Makes room for `n` positions in total. */
  reserve(n: number): void {
    if (n <= this.capacity) return;
    let cap = this.capacity;
    while (cap < n) cap *= 2;
    for (let l = 0; l < this.layers; l++) {
      const k = new Float32Array(cap * this.width);
      k.set(this.keys[l].subarray(0, this.length * this.width));
      this.keys[l] = k;
      const v = new Float32Array(cap * this.width);
      v.set(this.values[l].subarray(0, this.length * this.width));
      this.values[l] = v;
    }
    this.capacity = cap;
  }

  /** Writes layer `layer`'s key/value rows for position `pos` (from `src` at element offset `offset`). */
  write(layer: number, pos: number, k: Float32Array, v: Float32Array, offset: number): void {
    const w = this.width;
    this.keys[layer].set(k.subarray(offset, offset + w), pos * w);
    this.values[layer].set(v.subarray(offset, offset + w), pos * w);
  }
}

/**
 * One query position against a cache (`len` positions, the query's own included): grouped-query scaled dot-product
 * attention, softmax in float64, as the Backend's attention kernel computes it. Writes `[heads · headDim]` at
 * `out[outOffset]`. The query heads sharing a key/value head are processed together, so each cached row is read
 * once per group. `scores` is scratch of at least `(heads / kvHeads) · len` values, `acc` of `heads · headDim`.
 */
export function attendCached(
  out: Float32Array,
  outOffset: number,
  q: Float32Array,
  qOffset: number,
  keys: Float32Array,
  values: Float32Array,
  len: number,
  heads: number,
  kvHeads: number,
  headDim: number,
  scores: Float64Array,
  acc: Float64Array,
): void {
  const group = heads / kvHeads;
  const kw = kvHeads * headDim;
  const scale = 1 / Math.sqrt(headDim);
  for (let g = 0; g < kvHeads; g++) {
    const kh = g * headDim;
    const q0 = qOffset + g * group * headDim;
    // Scores of the group's queries: scores[j · len + s].
    for (let s = 0; s < len; s++) {
      const ko = s * kw + kh;
      for (let j = 0; j < group; j++) {
        const qo = q0 + j * headDim;
        let d0 = 0;
        let d1 = 0;
        let d2 = 0;
        let d3 = 0;
        let i = 0;
        for (; i + 3 < headDim; i += 4) {
          d0 += q[qo + i] * keys[ko + i];
          d1 += q[qo + i + 1] * keys[ko + i + 1];
          d2 += q[qo + i + 2] * keys[ko + i + 2];
          d3 += q[qo + i + 3] * keys[ko + i + 3];
        }
        for (; i < headDim; i++) d0 += q[qo + i] * keys[ko + i];
        scores[j * len + s] = (d0 + d1 + d2 + d3) * scale;
      }
    }
    // Softmax per query (float64), probabilities left in scores.
    for (let j = 0; j < group; j++) {
      const o = j * len;
      let max = Number.NEGATIVE_INFINITY;
      for (let s = 0; s < len; s++) if (scores[o + s] > max) max = scores[o + s];
      let sum = 0;
      for (let s = 0; s < len; s++) {
        const e = Math.exp(scores[o + s] - max);
        scores[o + s] = e;
        sum += e;
      }
      const inv = 1 / sum;
      for (let s = 0; s < len; s++) scores[o + s] *= inv;
    }
    // Weighted values, each cached row read once for the whole group.
    const gw = group * headDim;
    acc.fill(0, 0, gw);
    for (let s = 0; s < len; s++) {
      const vo = s * kw + kh;
      for (let j = 0; j < group; j++) {
        const p = scores[j * len + s];
        const ao = j * headDim;
        for (let i = 0; i < headDim; i++) acc[ao + i] += p * values[vo + i];
      }
    }
    const oo = outOffset + g * gw;
    for (let i = 0; i < gw; i++) out[oo + i] = acc[i];
  }
}

/** A deep copy of `cache` (several samples of one prompt share its prefill). */
export function cloneKvCache(cache: KvCache): KvCache {
  const c = new KvCache(cache.layers, cache.width, Math.max(1, cache.length));
  for (let l = 0; l < cache.layers; l++) {
    c.keys[l].set(cache.keys[l].subarray(0, cache.length * cache.width));
    c.values[l].set(cache.values[l].subarray(0, cache.length * cache.width));
  }
  c.length = cache.length;
  return c;
}
