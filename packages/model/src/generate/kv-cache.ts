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
 * `out[outOffset]`; `scores` is scratch of at least `len` values.
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
  for (let h = 0; h < heads; h++) {
    const kh = Math.floor(h / group) * headDim;
    const qo = qOffset + h * headDim;
    let max = Number.NEGATIVE_INFINITY;
    for (let s = 0; s < len; s++) {
      const ko = s * kw + kh;
      let d = 0;
      for (let i = 0; i < headDim; i++) d += q[qo + i] * keys[ko + i];
      const sc = d * scale;
      scores[s] = sc;
      if (sc > max) max = sc;
    }
    let sum = 0;
    for (let s = 0; s < len; s++) {
      const e = Math.exp(scores[s] - max);
      scores[s] = e;
      sum += e;
    }
    acc.fill(0, 0, headDim);
    for (let s = 0; s < len; s++) {
      const p = scores[s] / sum;
      const vo = s * kw + kh;
      for (let i = 0; i < headDim; i++) acc[i] += p * values[vo + i];
    }
    const oo = outOffset + h * headDim;
    for (let i = 0; i < headDim; i++) out[oo + i] = acc[i];
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
