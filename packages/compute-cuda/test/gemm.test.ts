// Our tiled SGEMM (the fallback when cuBLAS is absent) against a float64 oracle of the cuBLAS contract: all four
// transpose combinations, sizes across tile edges, padded leading dimensions, batches with strides, beta ≠ 0, k = 0.
import { mulberry32 } from "@sentrl/compute/testing";
import { describe, expect, it } from "vitest";
import { loadCudaDriver } from "../src/driver.js";
import { emulatorStatus } from "../src/emulator.js";
import { kernelGemm } from "../src/gemm.js";
import { CudaRuntime, defaultPtxDir } from "../src/runtime.js";

const status = emulatorStatus();
const reason = "reason" in status ? status.reason : "";

function oracle(
  ta: boolean,
  tb: boolean,
  m: number,
  n: number,
  k: number,
  alpha: number,
  A: Float32Array,
  lda: number,
  sA: number,
  B: Float32Array,
  ldb: number,
  sB: number,
  beta: number,
  C: Float32Array,
  ldc: number,
  sC: number,
  batch: number,
): Float32Array {
  const out = C.slice();
  for (let b = 0; b < batch; b++)
    for (let j = 0; j < n; j++)
      for (let i = 0; i < m; i++) {
        let s = 0;
        for (let l = 0; l < k; l++)
          s +=
            (ta ? A[b * sA + l + i * lda] : A[b * sA + i + l * lda]) *
            (tb ? B[b * sB + j + l * ldb] : B[b * sB + l + j * ldb]);
        const o = b * sC + i + j * ldc;
        out[o] = alpha * s + (beta === 0 ? 0 : beta * C[o]);
      }
  return out;
}

describe.skipIf(!!reason)(`tiled SGEMM kernel on the emulator${reason ? ` (skipped: ${reason})` : ""}`, () => {
  it("matches the cuBLAS contract on every transpose, edge sizes, padding, batches and beta", () => {
    const drv = loadCudaDriver({ SENTRL_LIBCUDA: "library" in status ? status.library : "" });
    if (typeof drv === "string") throw new Error(drv);
    const rt = new CudaRuntime(drv, 0, defaultPtxDir());
    const g = kernelGemm(rt);
    const rng = mulberry32(7);
    const rand = (n: number) => Float32Array.from({ length: n }, () => rng() * 2 - 1);
    const upload = (a: Float32Array) => {
      const p = rt.alloc(a.byteLength);
      rt.check(drv.memcpyHtoD(p, a, a.byteLength), "htod");
      return p;
    };
    const cases: [number, number, number, number, number, number][] = [
      // m, n, k, batch, pad, beta
      [1, 1, 1, 1, 0, 0],
      [65, 3, 17, 1, 2, 0],
      [7, 70, 33, 2, 0, 0.5],
      [64, 64, 16, 1, 1, 1],
      [5, 9, 0, 1, 0, 0],
    ];
    for (const [m, n, k, batch, pad, beta] of cases)
      for (const ta of [false, true])
        for (const tb of [false, true]) {
          const lda = (ta ? k : m) + pad || 1;
          const ldb = (tb ? n : k) + pad || 1;
          const ldc = m + pad;
          const sA = lda * (ta ? m : k) + 3;
          const sB = ldb * (tb ? k : n) + 1;
          const sC = ldc * n + 2;
          const [A, B, C] = [rand(sA * batch), rand(sB * batch), rand(sC * batch)];
          const [pa, pb, pc] = [upload(A), upload(B), upload(C)];
          g.run(ta, tb, m, n, k, 1.5, pa, lda, sA, pb, ldb, sB, beta, pc, ldc, sC, batch);
          const got = new Float32Array(C.length);
          rt.check(drv.memcpyDtoH(got, pc, got.byteLength), "dtoh");
          const exp = oracle(ta, tb, m, n, k, 1.5, A, lda, sA, B, ldb, sB, beta, C, ldc, sC, batch);
          // elements outside the m×n results (padding, stride gaps) must be untouched
          for (let i = 0; i < got.length; i++)
            expect(Math.abs(got[i] - exp[i]), `m${m} n${n} k${k} ta${ta} tb${tb} at ${i}`).toBeLessThanOrEqual(
              1e-5 * (1 + Math.abs(exp[i])),
            );
        }
  });
});
