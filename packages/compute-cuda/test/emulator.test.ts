// The emulator itself (emu/emu.h, emu/driver.cpp): block reductions through shared memory, barriers and warp
// shuffles are exact whatever the block size; votes see the whole warp; a barrier that can never open is a launch
// failure, not a hang, and the next launch works. emu/selftest.cu also compiles with nvcc, unchanged.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { NVCC_FLAGS } from "../scripts/kernel-sources.mjs";
import { loadCudaDriver } from "../src/driver.js";
import { createCudaEmulatorBackend, emulatorStatus } from "../src/index.js";

const status = emulatorStatus();
const reason = "reason" in status ? status.reason : "";
const hasNvcc = spawnSync("nvcc", ["--version"]).status === 0;
const selftest = join(import.meta.dirname, "..", "emu", "selftest.cu");

describe.skipIf(!!reason)(`CUDA emulator${reason ? ` (skipped: ${reason})` : ""}`, () => {
  const drv = () => {
    const d = loadCudaDriver({ SENTRL_LIBCUDA: "library" in status ? status.library : "" });
    if (typeof d === "string") throw new Error(d);
    expect(d.init(0)).toBe(0);
    return d;
  };
  const fn = (d: ReturnType<typeof drv>, name: string) => {
    const out: unknown[] = [null];
    expect(d.moduleGetFunction(out, null, name)).toBe(0);
    return out[0];
  };
  const params = (d: ReturnType<typeof drv>, args: Buffer[]) => {
    const p = Buffer.alloc(8 * args.length);
    args.forEach((a, i) => {
      p.writeBigUInt64LE(d.address(a), 8 * i);
    });
    return p;
  };
  const ptrArg = (v: bigint) => {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(v);
    return b;
  };
  const devAlloc = (d: ReturnType<typeof drv>, bytes: number) => {
    const o: (number | bigint)[] = [0n];
    expect(d.memAlloc(o, bytes)).toBe(0);
    return BigInt(o[0]);
  };

  it("a block sum with __shared__, __syncthreads and __shfl_xor_sync is exact for 32 to 1024 threads", () => {
    const d = drv();
    const [blocks, n] = [3, 1000];
    const data = Int32Array.from({ length: blocks * n }, (_, i) => ((i * 7919) % 1001) - 500);
    const input = devAlloc(d, data.byteLength);
    const out = devAlloc(d, blocks * 4);
    d.memcpyHtoD(input, data, data.byteLength);
    for (const threads of [32, 96, 1024]) {
      const nb = Buffer.alloc(8);
      nb.writeInt32LE(n);
      const p = params(d, [ptrArg(out), ptrArg(input), nb]);
      expect(d.launchKernel(fn(d, "emu_block_sum"), blocks, 1, 1, threads, 1, 1, 0, null, p, null)).toBe(0);
      const got = new Int32Array(blocks);
      d.memcpyDtoH(got, out, blocks * 4);
      const want = [0, 1, 2].map((b) => data.subarray(b * n, (b + 1) * n).reduce((a, v) => a + v, 0));
      expect(Array.from(got), `threads ${threads}`).toEqual(want);
    }
  });

  it("__ballot_sync sees every lane of its warp", () => {
    const d = drv();
    const out = devAlloc(d, 8);
    expect(d.launchKernel(fn(d, "emu_ballot"), 1, 1, 1, 64, 1, 1, 0, null, params(d, [ptrArg(out)]), null)).toBe(0);
    const got = new Uint32Array(2);
    d.memcpyDtoH(got, out, 8);
    expect(Array.from(got)).toEqual([0xaaaaaaaa, 0xaaaaaaaa]);
  });

  it("a barrier that can never open fails the launch (CUDA_ERROR_LAUNCH_FAILED), and the next launch works", () => {
    const d = drv();
    const out = devAlloc(d, 64 * 4);
    expect(d.launchKernel(fn(d, "emu_deadlock"), 1, 1, 1, 64, 1, 1, 0, null, params(d, [ptrArg(out)]), null)).toBe(719);
    const be = createCudaEmulatorBackend();
    const x = be.alloc(3);
    be.upload(x, new Float32Array([1, 2, 3]));
    be.residualForward({ out: x, a: x, b: x, length: 3 });
    expect(Array.from(be.download(x))).toEqual([2, 4, 6]);
  });

  it("block reductions of the kernels do not depend on the block size", () => {
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

  it.skipIf(!hasNvcc)(
    `the self-test kernels compile unchanged with nvcc${hasNvcc ? "" : " (skipped: no nvcc)"}`,
    () => {
      const out = join(mkdtempSync(join(tmpdir(), "selftest-")), "selftest.ptx");
      execFileSync("nvcc", [...NVCC_FLAGS, "-o", out, selftest]);
      expect(readFileSync(out, "utf8")).toMatch(/\.entry emu_block_sum\(/);
    },
  );
});
