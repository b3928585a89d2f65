export type { NativeBinding } from "./binding.js";
export { NATIVE_ABI_VERSION } from "./binding.js";
export type {
  NativeAdamwArgs,
  NativeAttentionBackwardArgs,
  NativeAttentionForwardArgs,
  NativeKernels,
  NativeLogitsStatsBackwardArgs,
  NativeLogitsStatsForwardArgs,
  NativeMatmulBackwardInputArgs,
  NativeMatmulBackwardWeightArgs,
  NativeMatmulForwardArgs,
  NativeRmsnormBackwardArgs,
  NativeRmsnormForwardArgs,
  NativeSwigluBackwardArgs,
  NativeSwigluForwardArgs,
} from "./kernels.js";
export { wrapBinding } from "./kernels.js";
export type { NativeKernelsStatus } from "./load.js";
export { loadNativeKernels, nativeAddonPath, nativeKernelsStatus } from "./load.js";
