// The whole @sentrl/compute conformance suite on the real kernel sources, compiled for the CPU emulator.
import { runBackendConformance } from "@sentrl/compute/testing";
import { describe, it } from "vitest";
import { createCudaEmulatorBackend, emulatorStatus } from "../src/index.js";

const status = emulatorStatus();
const reason = "reason" in status ? status.reason : "";

describe.skipIf(!!reason)(`CUDA kernels on the CPU emulator${reason ? ` (skipped: ${reason})` : ""}`, () => {
  runBackendConformance(() => createCudaEmulatorBackend(), { describe, it });
});
