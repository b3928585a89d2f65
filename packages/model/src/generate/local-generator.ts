import type { Backend } from "@sentrl/compute";
import type { Completion, GenerateOptions, GenerationPrompt, Generator } from "@sentrl/core";
import type { DecoderModel } from "../decoder.js";
import { loadModel } from "../load.js";
import { loadTokenizer, type ModelTokenizer } from "../tokenizer/load.js";
import { type PromptRollout, type RolloutSettings, rolloutPrompts } from "./rollout.js";

/** Options of `createLocalGenerator`. */
export interface LocalGeneratorOptions extends RolloutSettings {
  /** Where the weights live (default: `createDefaultBackend()`, the fast CPU backend when it loads). */
  backend?: Backend;
  /** The spec to report (default `local:<dir>`). */
  spec?: string;
}

/**
 * A `Generator` (docs/contracts.md §7) over our own model: `local:<dir>` with a Hugging Face folder holding `config.json`,
 * safetensors weights, `tokenizer.json` (+ optional `tokenizer_config.json` with the chat template and
 * `generation_config.json`). Completions carry `tokenIds` (EOS included), `tokenLogprobs` at the sampling
 * temperature, `logLik`, `numTokens` and `finishReason`.
 */
export class LocalGenerator implements Generator {
  constructor(
    readonly spec: string,
    readonly model: DecoderModel,
    readonly tokenizer: ModelTokenizer,
    private readonly settings: RolloutSettings = {},
  ) {}

  /** Like `generate`, with each prompt's token ids (what a trainer scores). */
  async rollout(prompts: GenerationPrompt[], options: GenerateOptions): Promise<PromptRollout[]> {
    return rolloutPrompts(this.model, this.tokenizer, prompts, options, this.settings);
  }

  async generate(prompts: GenerationPrompt[], options: GenerateOptions): Promise<Completion[][]> {
    return (await this.rollout(prompts, options)).map((r) => r.completions);
  }

  /** Frees the model's buffers. */
  async close(): Promise<void> {
    this.model.dispose();
  }
}

/**
 * Loads `dir` (model and tokenizer) and returns a `LocalGenerator`.
 *
 * @example
 * ```ts
 * import { createLocalGenerator } from "@sentrl/model";
 * const gen = await createLocalGenerator("models/Qwen2.5-0.5B-Instruct");
 * const [[c]] = await gen.generate([{ id: "q1", messages: [{ role: "user", content: "What is 2+3?" }] }],
 *   { n: 1, temperature: 0.6, maxTokens: 64, seed: 1 });
 * c.text; c.tokenLogprobs; c.finishReason;
 * await gen.close();
 * ```
 */
export async function createLocalGenerator(dir: string, options: LocalGeneratorOptions = {}): Promise<LocalGenerator> {
  const tokenizer = loadTokenizer(dir);
  const model = await loadModel(dir, { backend: options.backend });
  return new LocalGenerator(options.spec ?? `local:${dir}`, model, tokenizer, options);
}
