/** @sentrl/compute: Backend contract (forward/backward kernel pairs), the TypeScript reference CPU backend and the backend conformance suite. */
export type {
  AdamWArgs,
  AdamWParam,
  AdamWResult,
  AttentionBackwardArgs,
  AttentionForwardArgs,
  Backend,
  CachedAttentionArgs,
  CopyArgs,
  DeviceBuffer,
  EmbeddingBackwardArgs,
  EmbeddingForwardArgs,
  KvCacheWriteArgs,
  LogitsStatsBackwardArgs,
  LogitsStatsForwardArgs,
  MatmulBackwardArgs,
  MatmulForwardArgs,
  ResidualBackwardArgs,
  ResidualForwardArgs,
  RmsNormBackwardArgs,
  RmsNormForwardArgs,
  RopeBackwardArgs,
  RopeForwardArgs,
  SampleArgs,
  SampledTokens,
  SampleTokensArgs,
  SwigluBackwardArgs,
  SwigluForwardArgs,
} from "./backend.js";
export { BackendUnavailableError, ComputeError } from "./errors.js";
export { createReferenceBackend } from "./reference/backend.js";
export { type AdamWArrays, adamwUpdate, globalGradNorm } from "./reference/adamw.js";
export { ropeInvFreq } from "./reference/rope.js";
export { createFastCpuBackend, type FastCpuBackendOptions } from "./fast/backend.js";
export { type FastKernels, type FastKernelsStatus, loadFastKernels } from "./fast/kernels.js";
export { BACKEND_CHOICES, type BackendChoice, createDefaultBackend, loadFastCpuBackend, type SelectBackendOptions, selectBackend } from "./fast/select.js";
