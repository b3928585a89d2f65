import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadCudaDriver, probeCuda } from "../src/index.js";

// Runs only with SENTRL_CUDA_TESTS=1 (vitest.config.ts); skips with the probe's reason where there is no GPU.
const probe = probeCuda();
const reason = probe.available ? "" : probe.reason;
describe.skipIf(!!reason)(`@sentrl/compute-cuda on a GPU${reason ? ` (skipped: ${reason})` : ""}`, () => {
  it("finds a device and JIT-loads a PTX module", () => {
    const p = probeCuda();
    expect(p.available).toBe(true);
    const drv = loadCudaDriver();
    if (typeof drv === "string") throw new Error(drv);
    const dev = [0];
    expect(drv.deviceGet(dev, 0)).toBe(0);
    const ctx: unknown[] = [null];
    expect(drv.primaryCtxRetain(ctx, dev[0])).toBe(0);
    expect(drv.ctxSetCurrent(ctx[0])).toBe(0);
    const ptx = readFileSync(join(__dirname, "..", "..", "..", "tools", "gpu-smoke", "smoke_kernel.ptx"), "utf8");
    const mod: unknown[] = [null];
    expect(drv.moduleLoadData(mod, `${ptx}\0`)).toBe(0);
    const fn: unknown[] = [null];
    expect(drv.moduleGetFunction(fn, mod[0], "saxpy")).toBe(0);
  });
});
