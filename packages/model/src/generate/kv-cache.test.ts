import { createReferenceBackend } from "@sentrl/compute";
import { Rng } from "@sentrl/core";
import { describe, expect, it } from "vitest";
import { attendCached, cloneKvCache, KvCache } from "./kv-cache.js";

describe("attendCached", () => {
  it("equals the last query row of the Backend's causal attention (GQA group 3, odd head size)", () => {
    const be = createReferenceBackend();
    const rng = new Rng(3);
    const [T, nh, nkv, hd] = [9, 6, 2, 6];
    const rand = (n: number) => Float32Array.from({ length: n }, () => rng.normal());
    const q = rand(T * nh * hd);
    const k = rand(T * nkv * hd);
    const v = rand(T * nkv * hd);
    const [bq, bk, bv, bo] = [q, k, v, new Float32Array(T * nh * hd)].map((a) => {
      const b = be.alloc(a.length);
      be.upload(b, a);
      return b;
    });
    be.attentionForward({ out: bo, q: bq, k: bk, v: bv, batch: 1, seqLen: T, heads: nh, kvHeads: nkv, headDim: hd });
    const ref = be.download(bo);
    for (const len of [1, 4, T]) {
      const out = new Float32Array(nh * hd);
      attendCached(
        out,
        0,
        q,
        (len - 1) * nh * hd,
        k,
        v,
        len,
        nh,
        nkv,
        hd,
        new Float64Array(64),
        new Float64Array(nh * hd),
      );
      const want = ref.subarray((len - 1) * nh * hd, len * nh * hd);
      for (let i = 0; i < out.length; i++) expect(out[i]).toBeCloseTo(want[i], 5);
    }
  });

  it("KvCache grows, keeps what was written, and clones deeply", () => {
    const c = new KvCache(2, 3, 1);
    for (let pos = 0; pos < 5; pos++) {
      c.reserve(pos + 1);
      const row = Float32Array.of(pos, pos + 0.5, pos + 0.25);
      c.write(
        1,
        pos,
        row,
        row.map((x) => -x),
        0,
      );
      c.length = pos + 1;
    }
    expect(Array.from(c.keys[1].subarray(0, 15))).toEqual([
      0, 0.5, 0.25, 1, 1.5, 1.25, 2, 2.5, 2.25, 3, 3.5, 3.25, 4, 4.5, 4.25,
    ]);
    const d = cloneKvCache(c);
    d.keys[1][0] = 99;
    expect(c.keys[1][0]).toBe(0);
    expect(Array.from(d.values[1].subarray(12, 15))).toEqual([-4, -4.5, -4.25]);
    expect(d.length).toBe(5);
  });
});
