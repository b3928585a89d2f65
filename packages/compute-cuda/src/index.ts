/** @sentrl/compute-cuda: CUDA backend for @sentrl/compute (BackendUnavailableError without a GPU), and its CPU emulator. */
export { type CudaBackendInfo, type CudaBackendOptions, createCudaBackend, describeCudaBackend } from "./backend.js";
export { CUBLAS_SONAMES, type Cublas, cublasSearchDirs, findCublas, loadCublas } from "./cublas.js";
export { CU_ATTR, type CudaDriver, loadCudaDriver } from "./driver.js";
export { createCudaEmulatorBackend, emulatorLibraryPath, emulatorStatus } from "./emulator.js";
export { type CudaDevice, type CudaProbe, probeCuda } from "./probe.js";
