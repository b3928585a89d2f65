import type { Backend, DeviceBuffer } from "../backend.js";
import { backwardChecks } from "./backward.js";
import { decodeChecks } from "./decode.js";
import { assertClose, assertThrowsCode, mulberry32, randomArray } from "./helpers.js";
import { adamwOracle, attentionOracle, logitsStatsOracle, matmulOracle, rmsnormOracle, ropeOracle, sampleOracle } from "./oracles.js";

/** The two functions of a test runner the suite needs (vitest's and jest's fit). */
export interface ConformanceRunner {
  describe: (name: string, fn: () => void) => void;
  it: (name: string, fn: () => void | Promise<void>, timeout?: number) => void;
}

/** Options of `runBackendConformance`. */
export interface ConformanceOptions {
  /** Skip the 150k-vocabulary fused-head case (it costs ~0.1 s on the reference backend). Default false. */
  skipBigVocab?: boolean;
}

/**
 * Registers the conformance tests for a backend: every forward kernel checked against float64 oracles on edge
 * shapes (one row, odd sizes, grouped-query heads, padding masks, a 151,936-token vocabulary), every backward
 * kernel against finite differences of those oracles (and for accumulation into its gradient buffers), buffer
 * semantics, AdamW, the sampler, and the decoding kernels (KV-cache write, cached attention, per-row sampling).
 *
 * @example
 * ```ts
 * import { describe, it } from "vitest";
 * import { createReferenceBackend } from "@sentrl/compute";
 * import { runBackendConformance } from "@sentrl/compute/testing";
 * runBackendConformance(() => createReferenceBackend(), { describe, it });
 * ```
 */
export function runBackendConformance(makeBackend: () => Backend, runner: ConformanceRunner, options: ConformanceOptions = {}): void {
  const { describe, it } = runner;
  let be: Backend | undefined;
  const get = (): Backend => {
    be ??= makeBackend();
    return be;
  };
  const up = (data: Float32Array): DeviceBuffer => {
    const b = get().alloc(data.length);
    get().upload(b, data);
    return b;
  };
  const down = (b: DeviceBuffer): Float32Array => get().download(b);

  describe(`backend conformance`, () => {
    it("buffers: alloc zero-fills, upload/download with offsets, fill, free", () => {
      const b = get();
      const buf = b.alloc(5);
      assertClose(b.download(buf), [0, 0, 0, 0, 0], "alloc", 0, 0);
      b.upload(buf, new Float32Array([1, 2]), 3);
      assertClose(b.download(buf), [0, 0, 0, 1, 2], "upload offset", 0, 0);
      assertClose(b.download(buf, undefined, 2, 2), [0, 1], "download window", 0, 0);
      b.fill(buf, 7);
      assertClose(b.download(buf), [7, 7, 7, 7, 7], "fill", 0, 0);
      const empty = b.alloc(0);
      if (b.download(empty).length !== 0) throw new Error("alloc(0) must give an empty buffer");
      b.free(buf);
      assertThrowsCode(() => b.download(buf), "BACKEND_BUFFER_FREED", "download after free");
      assertThrowsCode(() => b.upload(b.alloc(2), new Float32Array(3)), "BACKEND_SHAPE", "upload past the end");
    });

    it("embedding: gather rows, odd sizes, ids out of range are coded errors", () => {
      const [V, C] = [5, 7];
      const table = randomArray(V * C, 1);
      const ids = new Int32Array([4, 0, 4]);
      const out = get().alloc(3 * C);
      get().embeddingForward({ out, table: up(table), ids, rows: 3, dim: C, vocab: V });
      const exp = new Float32Array(3 * C);
      ids.forEach((id, r) => {
        exp.set(table.subarray(id * C, id * C + C), r * C);
      });
      assertClose(down(out), exp, "embedding", 0, 0);
      assertThrowsCode(() => get().embeddingForward({ out, table: up(table), ids: new Int32Array([5]), rows: 1, dim: C, vocab: V }), "BACKEND_INDEX_OUT_OF_RANGE", "embedding id = vocab");
      assertThrowsCode(() => get().embeddingForward({ out, table: up(table), ids: new Int32Array([-1]), rows: 1, dim: C, vocab: V }), "BACKEND_INDEX_OUT_OF_RANGE", "embedding id -1");
    });

    it("matmul: x @ W^T (+ bias) on 1×1×1, odd and wide shapes", () => {
      const cases: [number, number, number, boolean][] = [
        [1, 1, 1, false],
        [1, 9, 5, true],
        [3, 5, 7, true],
        [7, 33, 3, false],
        [2, 130, 65, true],
      ];
      for (const [rows, inDim, outDim, withBias] of cases) {
        const x = randomArray(rows * inDim, rows * 31 + inDim);
        const w = randomArray(outDim * inDim, outDim * 17 + 3);
        const bias = withBias ? randomArray(outDim, 99) : undefined;
        const out = get().alloc(rows * outDim);
        get().matmulForward({ out, x: up(x), w: up(w), bias: bias && up(bias), rows, inDim, outDim });
        assertClose(down(out), matmulOracle(x, w, bias, rows, inDim, outDim), `matmul ${rows}×${inDim}→${outDim}`, 1e-5, 1e-5);
      }
    });

    it("rmsnorm: one row, dim 1, odd dims, stores rstd", () => {
      for (const [rows, dim, eps] of [
        [1, 1, 1e-6],
        [3, 13, 1e-6],
        [2, 64, 1e-5],
      ]) {
        const x = randomArray(rows * dim, dim, 3);
        const weight = randomArray(dim, dim + 1);
        const out = get().alloc(rows * dim);
        const rstd = get().alloc(rows);
        get().rmsnormForward({ out, x: up(x), weight: up(weight), rows, dim, eps, rstd });
        const exp = rmsnormOracle(x, weight, rows, dim, eps);
        assertClose(down(out), exp.out, `rmsnorm ${rows}×${dim}`, 1e-5, 1e-5);
        assertClose(down(rstd), exp.rstd, `rmsnorm rstd ${rows}×${dim}`, 1e-5, 1e-5);
      }
    });

    it("rope: rotate-half with per-row positions, large positions, in place", () => {
      for (const [heads, headDim, theta] of [
        [1, 2, 10000],
        [3, 6, 1e6],
        [2, 16, 500],
      ]) {
        const positions = new Int32Array([0, 1, 7, 1000, 31]);
        const rows = positions.length;
        const x = randomArray(rows * heads * headDim, heads * 7 + headDim);
        const out = get().alloc(x.length);
        get().ropeForward({ out, x: up(x), positions, rows, heads, headDim, theta });
        const exp = ropeOracle(x, positions, rows, heads, headDim, theta);
        assertClose(down(out), exp, `rope h${heads} d${headDim} θ${theta}`, 1e-5, 1e-5);
        const inPlace = up(x);
        get().ropeForward({ out: inPlace, x: inPlace, positions, rows, heads, headDim, theta });
        assertClose(down(inPlace), exp, "rope in place", 1e-5, 1e-5);
      }
    });

    it("attention: causal, GQA ratios 1/2/4, right and left padding, probs", () => {
      const cases: { batch: number; seqLen: number; heads: number; kvHeads: number; headDim: number; mask?: number[] }[] = [
        { batch: 1, seqLen: 1, heads: 1, kvHeads: 1, headDim: 1 },
        { batch: 2, seqLen: 5, heads: 2, kvHeads: 2, headDim: 3, mask: [1, 1, 1, 1, 1, 1, 1, 0, 0, 0] },
        { batch: 2, seqLen: 4, heads: 4, kvHeads: 2, headDim: 4, mask: [1, 1, 1, 0, 0, 0, 1, 1] },
        { batch: 3, seqLen: 6, heads: 4, kvHeads: 1, headDim: 5 },
      ];
      for (const c of cases) {
        const nq = c.batch * c.seqLen * c.heads * c.headDim;
        const nk = c.batch * c.seqLen * c.kvHeads * c.headDim;
        const q = randomArray(nq, nq, 2);
        const k = randomArray(nk, nk + 1, 2);
        const v = randomArray(nk, nk + 2);
        const keyMask = c.mask ? Uint8Array.from(c.mask) : undefined;
        const out = get().alloc(nq);
        const probs = get().alloc(c.batch * c.heads * c.seqLen * c.seqLen);
        get().attentionForward({ out, q: up(q), k: up(k), v: up(v), batch: c.batch, seqLen: c.seqLen, heads: c.heads, kvHeads: c.kvHeads, headDim: c.headDim, keyMask, probs });
        const exp = attentionOracle(q, k, v, c.batch, c.seqLen, c.heads, c.kvHeads, c.headDim, keyMask);
        const name = `attention b${c.batch} t${c.seqLen} h${c.heads}/${c.kvHeads} d${c.headDim}`;
        assertClose(down(out), exp.out, name, 1e-5, 1e-5);
        assertClose(down(probs), exp.probs, `${name} probs`, 1e-6, 1e-5);
        const noProbs = get().alloc(nq);
        get().attentionForward({ out: noProbs, q: up(q), k: up(k), v: up(v), batch: c.batch, seqLen: c.seqLen, heads: c.heads, kvHeads: c.kvHeads, headDim: c.headDim, keyMask });
        assertClose(down(noProbs), exp.out, `${name} without probs`, 1e-5, 1e-5);
      }
    });

    it("swiglu and residual (aliased output)", () => {
      const n = 37;
      const g = randomArray(n, 5, 6);
      const u = randomArray(n, 6);
      const out = get().alloc(n);
      get().swigluForward({ out, gate: up(g), up: up(u), length: n });
      assertClose(
        down(out),
        Array.from(g, (x, i) => (x / (1 + Math.exp(-x))) * u[i]),
        "swiglu",
        1e-6,
        1e-5,
      );
      const a = up(g);
      get().residualForward({ out: a, a, b: up(u), length: n });
      assertClose(
        down(a),
        Array.from(g, (x, i) => x + u[i]),
        "residual",
        1e-6,
        1e-6,
      );
    });

    it("fused logits → (logp, entropy): temperatures, skipped rows, one row", () => {
      const cases: [number, number, number, number][] = [
        [1, 1, 2, 1],
        [4, 5, 11, 0.7],
        [3, 16, 4099, 1.3],
      ];
      for (const [rows, dim, vocab, temperature] of cases) {
        const h = randomArray(rows * dim, rows + dim, 2);
        const w = randomArray(vocab * dim, vocab, 2);
        const targets = Int32Array.from({ length: rows }, (_, r) => (r === 1 ? -1 : (r * 7919 + 3) % vocab));
        const logp = get().alloc(rows);
        const entropy = get().alloc(rows);
        const lse = get().alloc(rows);
        get().logitsStatsForward({ logp, entropy, lse, h: up(h), w: up(w), targets, rows, dim, vocab, temperature });
        const exp = logitsStatsOracle(h, w, targets, rows, dim, vocab, temperature);
        const name = `logits ${rows}×${dim} V${vocab} T${temperature}`;
        assertClose(down(logp), exp.logp, name, 1e-5, 1e-5);
        assertClose(down(entropy), exp.entropy, `${name} entropy`, 1e-5, 1e-5);
        assertClose(down(lse), exp.lse, `${name} lse`, 1e-5, 1e-5);
      }
      assertThrowsCode(
        () => get().logitsStatsForward({ logp: get().alloc(1), entropy: get().alloc(1), h: up(new Float32Array(2)), w: up(new Float32Array(6)), targets: new Int32Array([3]), rows: 1, dim: 2, vocab: 3, temperature: 1 }),
        "BACKEND_INDEX_OUT_OF_RANGE",
        "logits target = vocab",
      );
    });

    if (!options.skipBigVocab) {
      it("fused logits on a 151,936-token vocabulary (two rows)", () => {
        const [rows, dim, vocab] = [2, 4, 151936];
        const h = randomArray(rows * dim, 11, 3);
        const w = randomArray(vocab * dim, 12, 3);
        const targets = new Int32Array([151935, 4096]);
        const logp = get().alloc(rows);
        const entropy = get().alloc(rows);
        get().logitsStatsForward({ logp, entropy, h: up(h), w: up(w), targets, rows, dim, vocab, temperature: 1 });
        const exp = logitsStatsOracle(h, w, targets, rows, dim, vocab, 1);
        assertClose(down(logp), exp.logp, "big-vocab logp", 1e-4, 1e-5);
        assertClose(down(entropy), exp.entropy, "big-vocab entropy", 1e-4, 1e-5);
      });
    }

    it("adamw: decoupled decay, bias correction, global-norm clipping on and off", () => {
      for (const maxGradNorm of [undefined, 0.05, 1e9]) {
        const sizes = [7, 3];
        const p = sizes.map((n, i) => randomArray(n, 40 + i));
        const g = sizes.map((n, i) => randomArray(n, 50 + i, 0.3));
        const m = sizes.map((n, i) => randomArray(n, 60 + i, 0.01));
        const v = sizes.map((n, i) => randomArray(n, 70 + i, 0.01).map(Math.abs));
        const bufs = sizes.map((_, i) => ({ param: up(p[i]), grad: up(g[i]), m: up(m[i]), v: up(v[i]), weightDecay: i === 1 ? 0 : undefined }));
        const opts = { lr: 0.01, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1, step: 3, maxGradNorm };
        const res = get().adamwStep({ params: bufs, ...opts });
        const P = p.map((a) => Float64Array.from(a));
        const M = m.map((a) => Float64Array.from(a));
        const Vv = v.map((a) => Float64Array.from(a));
        const exp = adamwOracle(P, g.map((a) => Float64Array.from(a)), M, Vv, { ...opts, weightDecay: [0.1, 0] });
        assertClose([res.gradNorm], [exp.gradNorm], "adamw gradNorm", 1e-6, 1e-6);
        bufs.forEach((b, i) => {
          assertClose(down(b.param), P[i], `adamw param ${i} (maxGradNorm ${maxGradNorm})`, 1e-6, 1e-5);
          assertClose(down(b.m), M[i], `adamw m ${i}`, 1e-7, 1e-5);
          assertClose(down(b.v), Vv[i], `adamw v ${i}`, 1e-8, 1e-5);
          assertClose(down(b.grad), g[i], `adamw leaves grad ${i}`, 0, 0);
        });
      }
    });

    it("adamw: a non-finite gradient norm skips the whole update (applied false, nothing touched)", () => {
      for (const bad of [Number.NaN, Number.POSITIVE_INFINITY]) {
        const p = randomArray(5, 80);
        const g = randomArray(5, 81, 0.3);
        g[3] = bad;
        const m = randomArray(5, 82, 0.01);
        const v = randomArray(5, 83, 0.01).map(Math.abs);
        const buf = { param: up(p), grad: up(g), m: up(m), v: up(v) };
        const res = get().adamwStep({ params: [buf], lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.1, step: 2, maxGradNorm: 1 });
        if (res.applied !== false || Number.isFinite(res.gradNorm)) throw new Error(`adamw with a ${bad} gradient: applied ${res.applied}, gradNorm ${res.gradNorm}`);
        assertClose(down(buf.param), p, "adamw skipped: param untouched", 0, 0);
        assertClose(down(buf.m), m, "adamw skipped: m untouched", 0, 0);
        assertClose(down(buf.v), v, "adamw skipped: v untouched", 0, 0);
      }
      const ok = get().adamwStep({ params: [{ param: up(randomArray(3, 84)), grad: up(randomArray(3, 85)), m: up(new Float32Array(3)), v: up(new Float32Array(3)) }], lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, step: 1 });
      if (ok.applied !== true) throw new Error("adamw with finite gradients must report applied: true");
    });

    backwardChecks(get, it);
    decodeChecks(get, it);

    it("sample: greedy, top-k, top-p and plain draws follow the inverse CDF of a seeded uniform", () => {
      const rows = 4;
      const vocab = 50;
      const logits = randomArray(rows * vocab, 3, 3);
      logits[7] = logits[8] = 5; // a tie in row 0
      const buf = up(logits);
      const rng = mulberry32(123);
      const settings: [number, number, number][] = [
        [0, 0, 1],
        [1, 0, 1],
        [0.7, 5, 1],
        [1, 0, 0.9],
        [1.5, 10, 0.5],
        [1, 1, 1],
      ];
      for (const [temperature, topK, topP] of settings) {
        for (let trial = 0; trial < 5; trial++) {
          const uniforms = Float64Array.from({ length: rows }, () => rng());
          const got = get().sample({ logits: buf, rows, vocab, uniforms, temperature, topK, topP });
          const exp = Array.from({ length: rows }, (_, r) => sampleOracle(logits.subarray(r * vocab), vocab, uniforms[r], temperature, topK, topP));
          assertClose(got, exp, `sample T${temperature} k${topK} p${topP}`, 0, 0);
        }
      }
    });
  });
}
