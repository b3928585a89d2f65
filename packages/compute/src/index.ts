/** @sentrl/compute: Backend contract (forward/backward kernel pairs), the TypeScript reference CPU backend and the backend conformance suite. */
export type {
  AdamWArgs,
  AdamWParam,
  AdamWResult,
  AttentionBackwardArgs,
  AttentionForwardArgs,
  Backend,
  DeviceBuffer,
  EmbeddingBackwardArgs,
  EmbeddingForwardArgs,
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
  SwigluBackwardArgs,
  SwigluForwardArgs,
} from "./backend.js";
export { BackendUnavailableError, ComputeError } from "./errors.js";
export { createReferenceBackend } from "./reference/backend.js";
export { ropeInvFreq } from "./reference/rope.js";
