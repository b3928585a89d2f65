// Generation: KV-cached incremental decoding, seeded sampling, and the `local:` generator.
export { IncrementalDecoder } from "./incremental.js";
export { attendCached, cloneKvCache, KvCache } from "./kv-cache.js";
export { type SampledSequence, type SampleRequest, type SamplingOptions, sampleSequences } from "./sample.js";
export { sampleRng } from "./seed.js";
export { createLocalGenerator, LocalGenerator, type LocalGeneratorOptions } from "./local-generator.js";
export {
  DEFAULT_MAX_TOKENS,
  encodePrompt,
  type PromptRollout,
  type RolloutSettings,
  rolloutPrompts,
  type TokenCompletion,
} from "./rollout.js";
