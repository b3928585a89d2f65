import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createCudaBackend, probeCuda } from "../src/index.js";

const fakeSource = join(__dirname, "..", "..", "..", "tools", "gpu-smoke", "fake_libcuda.c");
const hasCc = spawnSync("cc", ["--version"]).status === 0;

describe("@sentrl/compute-cuda without a GPU", () => {
  it("probe reports a reason instead of throwing when the driver library is missing", () => {
    const p = probeCuda({ SENTRL_LIBCUDA: "/nonexistent/libcuda.so.1" });
    if (p.available) return; // a real GPU machine: nothing to check here
    expect(p.reason).toMatch(/no NVIDIA driver library found/);
  });

  it("createCudaBackend throws BackendUnavailableError (code BACKEND_UNAVAILABLE), never crashes", () => {
    try {
      createCudaBackend();
      expect.unreachable();
    } catch (e) {
      expect((e as { code?: string }).code).toBe("BACKEND_UNAVAILABLE");
      expect((e as Error).message).toMatch(/backend `cuda` is unavailable/);
    }
  });

  it.skipIf(!hasCc)("probes devices through the FFI binding (CPU stand-in libcuda)", () => {
    const lib = join(mkdtempSync(join(tmpdir(), "fake-cuda-")), "libcuda-fake.so");
    execFileSync("cc", ["-shared", "-fPIC", "-O1", "-o", lib, fakeSource]);
    const p = probeCuda({ SENTRL_LIBCUDA: lib });
    expect(p).toEqual({
      available: true,
      library: lib,
      driverVersion: "13.0",
      devices: [
        { ordinal: 0, name: "Fake CPU Device", memoryBytes: 2 ** 30, computeCapability: "9.0", multiprocessors: 0 },
      ],
    });
  });
});
