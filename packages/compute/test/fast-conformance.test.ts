import { describe, it } from "vitest";
import { createFastCpuBackend, loadFastKernels } from "../src/index.js";
import { runBackendConformance } from "../src/testing/index.js";

const { kernels, reason } = await loadFastKernels();

if (kernels) {
  describe("fast CPU backend (native kernels)", () => {
    runBackendConformance(() => createFastCpuBackend(kernels), { describe, it });
  });
} else {
  describe("fast CPU backend (native kernels)", () => {
    it.skip(`skipped: the native kernels are unavailable here (${reason})`, () => {});
  });
}
