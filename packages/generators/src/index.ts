// Generators (docs/contracts.md §7): spec parsing, the scheme registry, `replay:` and `openai:`.
export { BUILTIN_GENERATOR_SCHEMES, type GeneratorSpec, parseGeneratorSpec } from "./spec.js";
export {
  type CreateGeneratorOptions,
  createGenerator,
  type GeneratorFactory,
  generatorSchemes,
  registerGeneratorScheme,
} from "./registry.js";
export { createReplayGenerator, parseReplayRecords, type ReplayRecord, replayGenerator } from "./replay.js";
export { createOpenAIGenerator, type OpenAIGeneratorOptions, openAIEndpoint } from "./openai.js";
export { createWeightSync, type WeightSync, type WeightSyncApi, type WeightSyncOptions } from "./weight-sync.js";
export { validateGenerateOptions } from "./options.js";
