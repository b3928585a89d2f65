// Generation: the batched KV-cache engine on the Backend, seeded sampling, and the `local:` generator.
export { createGenerationEngine, GenerationEngine, type GenerationEngineOptions, type GenerationRequest, type SampledSequence } from "./engine.js";
export { type SampleRequest, type SamplingOptions, sampleSequences } from "./sample.js";
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
