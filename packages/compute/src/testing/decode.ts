import type { Backend, DeviceBuffer } from "../backend.js";
import { assertClose, assertThrowsCode, mulberry32, randomArray } from "./helpers.js";
import { attentionOracle, sampleOracle } from "./oracles.js";

/** `log softmax(logits / T)[id]` in float64. */
function logprobOracle(logits: ArrayLike<number>, vocab: number, id: number, temperature: number): number {
  const z = Array.from({ length: vocab }, (_, j) => logits[j] / temperature);
  const m = Math.max(...z);
  return z[id] - m - Math.log(z.reduce((a, x) => a + Math.exp(x - m), 0));
}

/**
 * Conformance checks of the decoding kernels (`copy`, `kvCacheWrite`, `cachedAttention`, `sampleTokens`): exact
 * data movement, attention against a float64 oracle on GQA heads with odd sizes, empty and skipped rows, prefill
 * through the cache equal to `attentionForward`, and per-row sampling equal to `sample` row by row.
 */
export function decodeChecks(get: () => Backend, it: (name: string, fn: () => void) => void): void {
  const up = (data: Float32Array): DeviceBuffer => {
    const b = get().alloc(data.length);
    get().upload(b, data);
    return b;
  };
  const down = (b: DeviceBuffer): Float32Array => get().download(b);

  it("copy: ranges within and across buffers; past the end is BACKEND_SHAPE", () => {
    const be = get();
    const a = up(Float32Array.from([1, 2, 3, 4, 5, 6]));
    const b = be.alloc(5);
    be.copy({ dst: b, src: a, length: 3, dstOffset: 1, srcOffset: 2 });
    assertClose(down(b), [0, 3, 4, 5, 0], "copy across", 0, 0);
    be.copy({ dst: a, src: a, length: 2, dstOffset: 4 });
    assertClose(down(a), [1, 2, 3, 4, 1, 2], "copy within", 0, 0);
    be.copy({ dst: b, src: a, length: 5 });
    assertClose(down(b), [1, 2, 3, 4, 1], "copy whole", 0, 0);
    assertThrowsCode(() => be.copy({ dst: b, src: a, length: 3, dstOffset: 3 }), "BACKEND_SHAPE", "copy past dst end");
    assertThrowsCode(() => be.copy({ dst: b, src: a, length: 2, srcOffset: 5 }), "BACKEND_SHAPE", "copy past src end");
  });

  it("kvCacheWrite: rows scattered to (slot, position), negative slots skipped, bad indices are coded errors", () => {
    const be = get();
    const [slots, capacity, width] = [3, 4, 5];
    const cache = up(Float32Array.from({ length: slots * capacity * width }, () => -1));
    const src = randomArray(4 * width, 11);
    const rowSlots = Int32Array.from([2, -1, 0, 2]);
    const positions = Int32Array.from([3, 99, 0, 1]);
    be.kvCacheWrite({ cache, src: up(src), slots: rowSlots, positions, rows: 4, capacity, width });
    const exp = new Float32Array(slots * capacity * width).fill(-1);
    for (let r = 0; r < 4; r++) if (rowSlots[r] >= 0) exp.set(src.subarray(r * width, (r + 1) * width), (rowSlots[r] * capacity + positions[r]) * width);
    assertClose(down(cache), exp, "kvCacheWrite", 0, 0);
    const one = up(src.subarray(0, width));
    assertThrowsCode(() => be.kvCacheWrite({ cache, src: one, slots: Int32Array.of(3), positions: Int32Array.of(0), rows: 1, capacity, width }), "BACKEND_INDEX_OUT_OF_RANGE", "kvCacheWrite slot = slots");
    assertThrowsCode(() => be.kvCacheWrite({ cache, src: one, slots: Int32Array.of(0), positions: Int32Array.of(capacity), rows: 1, capacity, width }), "BACKEND_INDEX_OUT_OF_RANGE", "kvCacheWrite position = capacity");
    assertThrowsCode(() => be.kvCacheWrite({ cache, src: one, slots: Int32Array.of(0), positions: Int32Array.of(-1), rows: 1, capacity, width }), "BACKEND_INDEX_OUT_OF_RANGE", "kvCacheWrite position -1");
  });

  it("cachedAttention: GQA over per-row slots and lengths (odd headDim, empty and skipped rows) matches float64", () => {
    const be = get();
    for (const [heads, kvHeads, headDim] of [
      [6, 2, 5],
      [4, 4, 8],
      [3, 1, 64],
    ] as const) {
      const [nSlots, capacity] = [3, 9];
      const kw = kvHeads * headDim;
      const kData = randomArray(nSlots * capacity * kw, 21, 2);
      const vData = randomArray(nSlots * capacity * kw, 22);
      const rowSlots = Int32Array.from([1, 0, 2, 1, -1, 2]);
      const lengths = Int32Array.from([9, 1, 0, 4, 5, 7]);
      const rows = rowSlots.length;
      const q = randomArray(rows * heads * headDim, 23, 2);
      const out = be.alloc(rows * heads * headDim);
      be.fill(out, 5);
      be.cachedAttention({ out, q: up(q), kCache: up(kData), vCache: up(vData), slots: rowSlots, lengths, rows, capacity, heads, kvHeads, headDim });
      const exp = new Float64Array(rows * heads * headDim);
      for (let r = 0; r < rows; r++) {
        const n = rowSlots[r] < 0 ? 0 : lengths[r];
        if (n === 0) continue;
        // The row as the last query of a causal sequence of n positions: keys/values are the slot's first n.
        const base = rowSlots[r] * capacity * kw;
        const qs = new Float32Array(n * heads * headDim);
        qs.set(q.subarray(r * heads * headDim, (r + 1) * heads * headDim), (n - 1) * heads * headDim);
        const o = attentionOracle(qs, kData.subarray(base, base + n * kw), vData.subarray(base, base + n * kw), 1, n, heads, kvHeads, headDim, undefined).out;
        exp.set(o.subarray((n - 1) * heads * headDim), r * heads * headDim);
      }
      assertClose(down(out), exp, `cachedAttention ${heads}/${kvHeads}×${headDim}`, 2e-5, 2e-5);
    }
    const cache = be.alloc(2 * 3 * 2); // 2 slots of capacity 3, width 2
    const q1 = be.alloc(4);
    const o1 = be.alloc(4);
    const call = (slot: number, length: number) => be.cachedAttention({ out: o1, q: q1, kCache: cache, vCache: cache, slots: Int32Array.of(slot), lengths: Int32Array.of(length), rows: 1, capacity: 3, heads: 2, kvHeads: 1, headDim: 2 });
    assertThrowsCode(() => call(2, 1), "BACKEND_INDEX_OUT_OF_RANGE", "cachedAttention slot = slots");
    assertThrowsCode(() => call(0, 4), "BACKEND_INDEX_OUT_OF_RANGE", "cachedAttention length > capacity");
    assertThrowsCode(() => be.cachedAttention({ out: o1, q: q1, kCache: cache, vCache: cache, slots: Int32Array.of(0), lengths: Int32Array.of(1), rows: 1, capacity: 3, heads: 3, kvHeads: 2, headDim: 1 }), "BACKEND_SHAPE", "cachedAttention heads % kvHeads");
  });

  it("prefill through the cache (kvCacheWrite + cachedAttention with lengths t+1) equals attentionForward", () => {
    const be = get();
    const [heads, kvHeads, headDim, T, capacity] = [4, 2, 6, 7, 10];
    const kw = kvHeads * headDim;
    const q = up(randomArray(T * heads * headDim, 31, 2));
    const k = up(randomArray(T * kw, 32, 2));
    const v = up(randomArray(T * kw, 33));
    const ref = be.alloc(T * heads * headDim);
    be.attentionForward({ out: ref, q, k, v, batch: 1, seqLen: T, heads, kvHeads, headDim });
    const kCache = be.alloc(2 * capacity * kw);
    const vCache = be.alloc(2 * capacity * kw);
    const slots = new Int32Array(T).fill(1);
    const positions = Int32Array.from({ length: T }, (_, t) => t);
    be.kvCacheWrite({ cache: kCache, src: k, slots, positions, rows: T, capacity, width: kw });
    be.kvCacheWrite({ cache: vCache, src: v, slots, positions, rows: T, capacity, width: kw });
    const out = be.alloc(T * heads * headDim);
    be.cachedAttention({ out, q, kCache, vCache, slots, lengths: Int32Array.from(positions, (t) => t + 1), rows: T, capacity, heads, kvHeads, headDim });
    assertClose(down(out), down(ref), "prefill via cache", 2e-5, 2e-5);
  });

  it("sampleTokens: per-row settings equal `sample` row by row; log-probs at the row's temperature (1 when greedy)", () => {
    const be = get();
    const vocab = 37;
    const settings: [number, number, number][] = [
      [0, 0, 1],
      [1, 0, 1],
      [0.7, 5, 1],
      [1, 0, 0.9],
      [1.5, 10, 0.5],
      [1, 1, 1],
      [0, 3, 0.5],
    ];
    const rows = settings.length;
    const logits = randomArray(rows * vocab, 41, 3);
    logits[2] = logits[3] = 9; // a tie for the greedy row 0
    const buf = up(logits);
    const rng = mulberry32(7);
    for (let trial = 0; trial < 4; trial++) {
      const uniforms = Float64Array.from({ length: rows }, () => rng());
      const got = be.sampleTokens({
        logits: buf,
        rows,
        vocab,
        uniforms,
        temperature: settings.map((s) => s[0]),
        topK: settings.map((s) => s[1]),
        topP: settings.map((s) => s[2]),
      });
      const ids = settings.map(([t, k, p], r) => sampleOracle(logits.subarray(r * vocab), vocab, uniforms[r], t, k, p));
      assertClose(got.ids, ids, "sampleTokens ids", 0, 0);
      const lps = ids.map((id, r) => logprobOracle(logits.subarray(r * vocab), vocab, id, settings[r][0] > 0 ? settings[r][0] : 1));
      assertClose(got.logprobs, lps, "sampleTokens logprobs", 1e-5, 1e-5);
    }
    const plain = be.sampleTokens({ logits: buf, rows: 2, vocab, uniforms: [0.3, 0.6], temperature: [1, 1] });
    assertClose(plain.ids, [0, 1].map((r) => sampleOracle(logits.subarray(r * vocab), vocab, [0.3, 0.6][r], 1, 0, 1)), "sampleTokens defaults", 0, 0);
    assertThrowsCode(() => be.sampleTokens({ logits: buf, rows: 1, vocab, uniforms: [0.5], temperature: [-1] }), "BACKEND_BAD_ARGUMENT", "sampleTokens negative temperature");
    assertThrowsCode(() => be.sampleTokens({ logits: buf, rows: 1, vocab, uniforms: [0.5], temperature: [1], topP: [0] }), "BACKEND_BAD_ARGUMENT", "sampleTokens topP 0");
  });
}
