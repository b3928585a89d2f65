#!/usr/bin/env node
// Device check without vitest (node_modules is too big to carry to a GPU machine): imports the BUILT package,
// probes the GPU and JIT-loads the gpu-smoke PTX through the package's own driver binding. Prints one JSON line.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const { loadCudaDriver, probeCuda } = await import(join(here, "..", "dist", "index.js"));
const report = { check: "compute-cuda/device", probe: probeCuda() };
if (report.probe.available) {
  const drv = loadCudaDriver();
  const dev = [0];
  const ctx = [null];
  const mod = [null];
  const fn = [null];
  const ptx = readFileSync(join(here, "..", "..", "..", "tools", "gpu-smoke", "smoke_kernel.ptx"), "utf8");
  report.rc = {
    deviceGet: drv.deviceGet(dev, 0),
    primaryCtxRetain: drv.primaryCtxRetain(ctx, dev[0]),
    ctxSetCurrent: drv.ctxSetCurrent(ctx[0]),
    moduleLoadData: drv.moduleLoadData(mod, `${ptx}\0`),
  };
  report.rc.moduleGetFunction = drv.moduleGetFunction(fn, mod[0], "saxpy");
  report.ok = Object.values(report.rc).every((rc) => rc === 0);
} else {
  report.ok = false;
}
process.stdout.write(`${JSON.stringify(report)}\n`);
process.exit(report.ok ? 0 : 1);
