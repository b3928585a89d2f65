/**
 * The backend conformance suite: every Backend implementation runs it with its own test runner.
 *
 * @example
 * ```ts
 * // packages/compute-cuda/test/conformance.cuda.test.ts
 * import { describe, it } from "vitest";
 * import { runBackendConformance } from "@sentrl/compute/testing";
 * import { createCudaBackend } from "../src/index.js";
 * runBackendConformance(() => createCudaBackend(), { describe, it });
 * ```
 */
export { runBackendConformance, type ConformanceRunner, type ConformanceOptions } from "./conformance.js";
export { finiteDifferenceGrad } from "./backward.js";
export { assertClose, mulberry32, randomArray } from "./helpers.js";
export * as oracles from "./oracles.js";
