/**
 * @sentrl/onnx: ONNX models through `@huggingface/transformers` on `onnxruntime-node` (optional peer dependencies,
 * imported lazily): the `onnx:<dir>` generator (docs/contracts.md §7, §9) and the local-only loader that
 * `@sentrl/semantic-entropy` uses for NLI and embedding models.
 */
export {
  INSTALL_HINT,
  LOCAL_PRETRAINED,
  fromPretrained,
  importTransformers,
  loadTransformers,
  localOnnxModelDir,
  ONNXRUNTIME_NODE_VERSION,
  TRANSFORMERS_VERSION,
  type TransformersModule,
  transformersImportError,
} from "./transformers.js";
export { OnnxCausalLM, type OnnxGenerationDefaults, type OnnxKvCache, type OnnxStep } from "./causal-lm.js";
export { RowSampler, type RowSamplerSettings, tokenLogprob } from "./row-sampler.js";
export {
  createOnnxGenerator,
  ONNX_DEFAULT_MAX_TOKENS,
  type OnnxCompletion,
  OnnxGenerator,
  type OnnxGeneratorOptions,
} from "./generator.js";
