// The emulator itself: a block-sum kernel using __shared__, __syncthreads and __shfl_xor_sync (kernels/common.cuh)
// gives the exact sum, whatever the block size.
import { describe, expect, it } from "vitest";
import { createCudaEmulatorBackend, emulatorStatus } from "../src/index.js";

const status = emulatorStatus();
const reason = "reason" in status ? status.reason : "";

describe.skipIf(!!reason)(`CUDA emulator${reason ? ` (skipped: ${reason})` : ""}`, () => {
  it("block reductions (shared memory, barriers, warp shuffles) are exact and do not depend on the block size", () => {
    // rmsnorm's rstd is 1/sqrt(Σx²/dim + eps) through block_sum; with x = 1..dim the sum is exact in float64.
    const dim = 1000;
    const x = Float32Array.from({ length: dim }, (_, i) => i + 1);
    const sumSq = (dim * (dim + 1) * (2 * dim + 1)) / 6;
    for (const threads of [32, 64, 256, 1024]) {
      const be = createCudaEmulatorBackend({ threads });
      const [bx, bw, out, rstd] = [be.alloc(dim), be.alloc(dim), be.alloc(dim), be.alloc(1)];
      be.upload(bx, x);
      be.fill(bw, 1);
      be.rmsnormForward({ out, x: bx, weight: bw, rows: 1, dim, eps: 0, rstd });
      expect(be.download(rstd)[0], `threads ${threads}`).toBe(Math.fround(1 / Math.sqrt(sumSq / dim)));
    }
  });
});
