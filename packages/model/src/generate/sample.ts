import type { DecoderModel } from "../decoder.js";
import { ModelError } from "../errors.js";
import type { Tokenizer } from "../tokenizer/tokenizer.js";
import { GenerationEngine, type SampledSequence } from "./engine.js";

export type { SampledSequence } from "./engine.js";

/** Options of `sampleSequences` (shared by every request). */
export interface SamplingOptions {
  /** Largest number of new tokens per sequence. */
  maxTokens: number;
  /** Default 1; 0 is greedy (argmax, lowest id on ties). */
  temperature?: number;
  /** Nucleus filter in (0, 1] (default 1: off). */
  topP?: number;
  /** Keep the k most probable tokens (default 0: off). */
  topK?: number;
  /** Token ids that end a sequence (kept as its last token). */
  eosTokenIds?: ArrayLike<number>;
  /** Strings that end a sequence (needs a tokenizer); the text stops before the first one found. */
  stop?: string[];
  /** Base seed (default 0); each sample's stream depends only on (seed, prompt, sample index). */
  seed?: number;
  /** Sequences decoded together (default 8; freed rows are refilled from the queue); results do not depend on it. */
  batchSize?: number;
  signal?: AbortSignal;
}

/** One sequence to sample: prompt token ids and the sample's index (its random stream). */
export interface SampleRequest {
  prompt: ArrayLike<number>;
  sampleIndex: number;
}

/**
 * Samples continuations of token prompts with the model through a `GenerationEngine` made for the call (KV cache
 * and decode attention on the Backend, continuous batching over `batchSize` slots, each distinct prompt prefilled
 * once). Each sample draws from its own seeded stream, so results do not depend on `batchSize` or on the other
 * requests. Stops at an EOS id, a stop string (with `tokenizer`) or `maxTokens`.
 *
 * @example
 * ```ts
 * const [seq] = sampleSequences(model, [{ prompt: [1, 2, 3], sampleIndex: 0 }], { maxTokens: 16, temperature: 0.7, seed: 1 });
 * seq.tokenIds; seq.tokenLogprobs; seq.finishReason; // "length" | "stop"
 * ```
 */
export function sampleSequences(model: DecoderModel, requests: SampleRequest[], options: SamplingOptions, tokenizer?: Tokenizer): SampledSequence[] {
  const { batchSize = 8, signal, ...rest } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new ModelError("MODEL_BAD_ARGUMENT", `batchSize must be a positive integer, got ${batchSize}`);
  signal?.throwIfAborted();
  if (requests.length === 0) return [];
  const longest = Math.max(...requests.map((r) => r.prompt.length));
  const maxTokens = Number.isInteger(rest.maxTokens) && rest.maxTokens > 0 ? rest.maxTokens : 0;
  const engine = new GenerationEngine(model, { maxBatch: Math.min(batchSize, requests.length), tokenizer, capacity: Math.max(1, longest + maxTokens) });
  try {
    return engine.generate(requests.map((r) => ({ ...rest, prompt: r.prompt, sampleIndex: r.sampleIndex, signal })));
  } finally {
    engine.dispose();
  }
}
