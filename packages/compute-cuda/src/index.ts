/** @sentrl/compute-cuda: CUDA backend for @sentrl/compute (optional; BackendUnavailableError without a GPU). */
export {};
