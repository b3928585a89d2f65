import { ComputeError } from "@sentrl/compute";
import type { Cublas } from "./cublas.js";
import type { CudaRuntime } from "./runtime.js";

/**
 * Column-major strided-batched SGEMM with the cuBLAS contract: `C = alpha·op(A)·op(B) + beta·C`, `op(X) = X^T`
 * when `trans`; `m × n` result, inner size `k`; `beta = 0` never reads C. Two implementations: cuBLAS (dlopen) and
 * our tiled kernel (`kernels/gemm.cu`), so the row-major layouts below are written once for both.
 */
export interface Gemm {
  readonly name: "cublas" | "sgemm";
  run(
    transa: boolean,
    transb: boolean,
    m: number,
    n: number,
    k: number,
    alpha: number,
    a: bigint,
    lda: number,
    strideA: number,
    b: bigint,
    ldb: number,
    strideB: number,
    beta: number,
    c: bigint,
    ldc: number,
    strideC: number,
    batch: number,
  ): void;
}

/** Our tiled kernel: 64×64 tiles of C per 256-thread block, z = batch. */
export function kernelGemm(rt: CudaRuntime): Gemm {
  return {
    name: "sgemm",
    run(ta, tb, m, n, k, alpha, a, lda, sa, b, ldb, sb, beta, c, ldc, sc, batch) {
      if (m === 0 || n === 0 || batch === 0) return;
      rt.launch("sgemm_tiled", [Math.ceil(m / 64), Math.ceil(n / 64), batch], 256, [
        ["i", ta ? 1 : 0],
        ["i", tb ? 1 : 0],
        ["i", m],
        ["i", n],
        ["i", k],
        ["f", alpha],
        ["p", a],
        ["i", lda],
        ["q", sa],
        ["p", b],
        ["i", ldb],
        ["q", sb],
        ["f", beta],
        ["p", c],
        ["i", ldc],
        ["q", sc],
      ]);
    },
  };
}

/** cuBLAS on the default stream (FP32 math: no TF32 unless NVIDIA_TF32_OVERRIDE says so). */
export function cublasGemm(lib: Cublas): Gemm {
  const handle: unknown[] = [null];
  const rc = lib.create(handle);
  if (rc !== 0) throw new ComputeError("CUDA_ERROR", `cublasCreate failed (status ${rc}) with ${lib.library}`);
  const alpha = new Float32Array(1);
  const beta = new Float32Array(1);
  return {
    name: "cublas",
    run(ta, tb, m, n, k, al, a, lda, sa, b, ldb, sb, be, c, ldc, sc, batch) {
      if (m === 0 || n === 0 || batch === 0) return;
      alpha[0] = al;
      beta[0] = be;
      const st = lib.sgemmStridedBatched(
        handle[0],
        ta ? 1 : 0,
        tb ? 1 : 0,
        m,
        n,
        k,
        alpha,
        a,
        Math.max(1, lda),
        sa,
        b,
        Math.max(1, ldb),
        sb,
        beta,
        c,
        Math.max(1, ldc),
        sc,
        batch,
      );
      if (st !== 0) throw new ComputeError("CUDA_ERROR", `cublasSgemmStridedBatched failed (status ${st})`);
    },
  };
}

/**
 * The three row-major layouts of a linear layer `y[rows, out] = x[rows, in] @ w[out, in]^T` (a row-major
 * `[r, c]` matrix is a column-major `c × r` one):
 * forward `y = x·w^T`, input gradient `dx (+)= dy·w`, weight gradient `dw (+)= dy^T·x`.
 */
export const linear = {
  forward(g: Gemm, y: bigint, x: bigint, w: bigint, rows: number, inDim: number, outDim: number, beta = 0): void {
    g.run(true, false, outDim, rows, inDim, 1, w, inDim, 0, x, inDim, 0, beta, y, outDim, 0, 1);
  },
  inputGrad(g: Gemm, dx: bigint, dy: bigint, w: bigint, rows: number, inDim: number, outDim: number, beta = 1): void {
    g.run(false, false, inDim, rows, outDim, 1, w, inDim, 0, dy, outDim, 0, beta, dx, inDim, 0, 1);
  },
  weightGrad(g: Gemm, dw: bigint, dy: bigint, x: bigint, rows: number, inDim: number, outDim: number, beta = 1): void {
    g.run(false, true, inDim, outDim, rows, 1, x, inDim, 0, dy, outDim, 0, beta, dw, inDim, 0, 1);
  },
};
