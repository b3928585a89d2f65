import { describe, expect, it } from "vitest";
import { expectClose, gemmIsas, nativeOrSkip, useIsa, randomArray, rng } from "./helpers.js";
import { refMatmul, refMatmulDw, refMatmulDx } from "./reference.js";

const k = nativeOrSkip();

/** Bitwise equality (vitest's deep equality is slow on million-element typed arrays). */
function sameBits(a: Float32Array, b: Float32Array): boolean {
  return (
    Buffer.compare(
      Buffer.from(a.buffer, a.byteOffset, a.byteLength),
      Buffer.from(b.buffer, b.byteOffset, b.byteLength),
    ) === 0
  );
}

// Odd sizes around the micro-tile (6x16) and ones that split K into blocks (at most 512 each).
const ROWS = [1, 3, 17, 33, 129];
const IN = [1, 3, 17, 33, 129, 521];
const OUT = [1, 3, 17, 33, 129];

for (const isa of gemmIsas(k))
  describe(`native matmul ({isa})`, () => {
    useIsa(k, isa);
    it("forward y = x·wᵀ (+ bias) on odd sizes", () => {
      const r = rng(10);
      for (const rows of ROWS)
        for (const inDim of IN)
          for (const outDim of OUT) {
            const x = randomArray(rows * inDim, r);
            const w = randomArray(outDim * inDim, r);
            const bias = randomArray(outDim, r);
            const out = new Float32Array(rows * outDim).fill(Number.NaN);
            k!.matmulForward({ out, x, w, rows, inDim, outDim });
            expectClose(out, refMatmul(x, w, null, rows, inDim, outDim), 1e-4, 1e-5, `fwd ${rows}x${inDim}x${outDim}`);
            k!.matmulForward({ out, x, w, bias, rows, inDim, outDim });
            expectClose(
              out,
              refMatmul(x, w, bias, rows, inDim, outDim),
              1e-4,
              1e-5,
              `fwd+bias ${rows}x${inDim}x${outDim}`,
            );
          }
    });

    it("backward dx = dy·w, overwrite and accumulate", () => {
      const r = rng(11);
      for (const rows of ROWS)
        for (const inDim of IN)
          for (const outDim of OUT) {
            const dout = randomArray(rows * outDim, r);
            const w = randomArray(outDim * inDim, r);
            const dx = new Float32Array(rows * inDim).fill(Number.NaN);
            k!.matmulBackwardInput({ dx, dout, w, rows, inDim, outDim });
            const ref = refMatmulDx(dout, w, rows, inDim, outDim);
            expectClose(dx, ref, 1e-4, 1e-5, `dx ${rows}x${inDim}x${outDim}`);
            const prior = randomArray(rows * inDim, r);
            const acc = prior.slice();
            k!.matmulBackwardInput({ dx: acc, dout, w, rows, inDim, outDim, accumulate: true });
            expectClose(
              acc,
              ref.map((v, i) => v + prior[i]),
              1e-4,
              1e-5,
              `dx+= ${rows}x${inDim}x${outDim}`,
            );
          }
    });

    it("backward dw += dyᵀ·x and dbias += Σ dy (always accumulates)", () => {
      const r = rng(12);
      for (const rows of ROWS)
        for (const inDim of IN)
          for (const outDim of OUT) {
            const dout = randomArray(rows * outDim, r);
            const x = randomArray(rows * inDim, r);
            const prior = randomArray(outDim * inDim, r);
            const dw = prior.slice();
            const dbias = new Float32Array(outDim).fill(0.5);
            k!.matmulBackwardWeight({ dw, dbias, dout, x, rows, inDim, outDim });
            const ref = refMatmulDw(dout, x, rows, inDim, outDim);
            expectClose(
              dw,
              ref.map((v, i) => v + prior[i]),
              1e-4,
              1e-5,
              `dw ${rows}x${inDim}x${outDim}`,
            );
            const refBias = new Float64Array(outDim).fill(0.5);
            for (let i = 0; i < rows * outDim; i++) refBias[i % outDim] += dout[i];
            expectClose(dbias, refBias, 1e-4, 1e-5, `dbias ${rows}x${inDim}x${outDim}`);
            // bias gradient alone
            const dbiasOnly = new Float32Array(outDim).fill(0.5);
            k!.matmulBackwardWeight({ dbias: dbiasOnly, dout, x, rows, inDim, outDim });
            expectClose(dbiasOnly, refBias, 1e-4, 1e-5, `dbias only ${rows}x${inDim}x${outDim}`);
          }
    });

    it("crosses every cache block (MC 144, KC 512, NC 3072) and is identical on 1 and 2 threads", () => {
      const r = rng(13);
      // Reference checks on thin slices that cross NC (outDim > 3072) and MC + KC (rows > 144, inDim > 512).
      for (const [rows, inDim, outDim] of [
        [7, 600, 3100],
        [150, 1100, 40],
      ]) {
        const x = randomArray(rows * inDim, r);
        const w = randomArray(outDim * inDim, r);
        const y = new Float32Array(rows * outDim);
        k!.matmulForward({ out: y, x, w, rows, inDim, outDim });
        // float32 sums of inDim terms: the absolute error grows with inDim
        expectClose(
          y,
          refMatmul(x, w, null, rows, inDim, outDim),
          1e-4,
          1e-6 * inDim,
          `large fwd ${rows}x${inDim}x${outDim}`,
        );
      }
      // Thread split must not change any sum: bitwise equal results on 1 and 2 threads.
      const rows = 300,
        inDim = 700,
        outDim = 3100;
      const x = randomArray(rows * inDim, r);
      const w = randomArray(outDim * inDim, r);
      const before = k!.threads();
      try {
        k!.setThreads(2);
        const y2 = new Float32Array(rows * outDim);
        k!.matmulForward({ out: y2, x, w, rows, inDim, outDim });
        k!.setThreads(1);
        expect(k!.threads()).toBe(1);
        const y1 = new Float32Array(rows * outDim);
        k!.matmulForward({ out: y1, x, w, rows, inDim, outDim });
        expect(sameBits(y1, y2)).toBe(true);
        // dW layout (transposed A) with a long K = rows.
        const dw1 = new Float32Array(outDim * inDim);
        k!.matmulBackwardWeight({ dw: dw1, dout: y1, x, rows, inDim, outDim });
        k!.setThreads(2);
        const dw2 = new Float32Array(outDim * inDim);
        k!.matmulBackwardWeight({ dw: dw2, dout: y1, x, rows, inDim, outDim });
        expect(sameBits(dw1, dw2)).toBe(true);
      } finally {
        k!.setThreads(before);
      }
    });

    it("works on subarray views in place (zero-copy) and rejects short arrays", () => {
      const r = rng(14);
      const buf = randomArray(1000, r);
      const x = buf.subarray(7, 7 + 5 * 9);
      const w = buf.subarray(300, 300 + 4 * 9);
      const out = new Float32Array(100).subarray(3, 3 + 5 * 4);
      k!.matmulForward({ out, x, w, rows: 5, inDim: 9, outDim: 4 });
      expectClose(out, refMatmul(x, w, null, 5, 9, 4), 1e-5, 1e-6, "views");
      expect(() => k!.matmulForward({ out, x, w, rows: 6, inDim: 9, outDim: 4 })).toThrow(/needs at least/);
      expect(() =>
        k!.matmulForward({ out, x: new Float64Array(45) as unknown as Float32Array, w, rows: 5, inDim: 9, outDim: 4 }),
      ).toThrow(/Float32Array/);
      expect(() => k!.matmulForward({ out, x, w, rows: -1, inDim: 9, outDim: 4 })).toThrow(/integer/);
    });
  });
