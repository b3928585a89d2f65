/** @sentrl/compute-cuda: CUDA backend for @sentrl/compute (optional; BackendUnavailableError without a GPU). */
export { type CudaBackendOptions, createCudaBackend } from "./backend.js";
export { CU_ATTR, type CudaDriver, loadCudaDriver } from "./driver.js";
export { type CudaDevice, type CudaProbe, probeCuda } from "./probe.js";
