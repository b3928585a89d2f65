/** @sentrl/model: Qwen2-family decoder on any @sentrl/compute Backend: Hugging Face safetensors/config loading, forward, scoring. */
export { type ModelConfig, parseModelConfig, toHfConfig } from "./config.js";
export { type AdamWOptions, DecoderModel, ForwardHandle, type ScoreOptions, type ScoreResult, validateTokens } from "./decoder.js";
export { ModelError } from "./errors.js";
export {
  type LoadModelOptions,
  loadCheckpoint,
  loadModel,
  loadOptimizerState,
  OPTIMIZER_FILE,
  readModelConfig,
  type SaveModelOptions,
  saveCheckpoint,
  saveModel,
  saveOptimizerState,
} from "./load.js";
export { bf16ToF32, decodeFloats, encodeFloats, f16ToF32, f32ToBf16, f32ToF16, type FloatDtype } from "./safetensors/dtype.js";
export { MAX_HEADER_BYTES, parseSafetensorsHeader, SafetensorsFile, type SafetensorsHeader, type TensorInfo } from "./safetensors/read.js";
export { type TensorToWrite, writeFileAtomic, writeSafetensors } from "./safetensors/write.js";
export { type ParamSpec, parameterSpecs, readCheckpoint } from "./weights.js";
export { BENCH_MODEL_SHAPE, lcgStream, type RandomModelShape, randomQwen2 } from "./random-model.js";
export * from "./tokenizer/index.js";
export * from "./generate/index.js";
export * from "./policy/index.js";
