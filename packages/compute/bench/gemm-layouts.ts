// GFLOP/s of the native GEMM in the three training layouts on the 11M model's shapes (2048 rows), as the fast
// backend calls them. Run: npx tsx --conditions=source packages/compute/bench/gemm-layouts.ts
import { loadFastKernels } from "../src/index.js";

const { kernels: k, reason } = await loadFastKernels();
if (!k) {
  console.log(JSON.stringify({ bench: "gemm.layouts", reason }));
  process.exit(0);
}
const rows = 2048;
const rnd = (n: number) => Float32Array.from({ length: n }, () => Math.random() - 0.5);
for (const [inDim, outDim] of [
  [384, 384],
  [384, 128],
  [384, 1024],
  [1024, 384],
]) {
  const x = rnd(rows * inDim);
  const w = rnd(outDim * inDim);
  const y = rnd(rows * outDim);
  const dx = new Float32Array(rows * inDim);
  const dw = new Float32Array(outDim * inDim);
  const flop = 2 * rows * inDim * outDim;
  const time = (fn: () => void) => {
    fn();
    const t0 = performance.now();
    for (let i = 0; i < 5; i++) fn();
    return (performance.now() - t0) / 5 / 1000;
  };
  const f = time(() => k.matmulForward({ out: y, x, w, rows, inDim, outDim }));
  const bi = time(() => k.matmulBackwardInput({ dx, dout: y, w, rows, inDim, outDim, accumulate: true }));
  const bw = time(() => k.matmulBackwardWeight({ dw, dout: y, x, rows, inDim, outDim }));
  const g = (s: number) => Math.round(flop / s / 1e8) / 10;
  console.log(JSON.stringify({ bench: "gemm.layouts", rows, inDim, outDim, threads: k.threads(), forwardGflops: g(f), backwardInputGflops: g(bi), backwardWeightGflops: g(bw) }));
}
