import type { Completion, GenerateOptions, GenerationPrompt } from "@sentrl/core";
import type { DecoderModel } from "../decoder.js";
import { ModelError } from "../errors.js";
import type { ModelTokenizer } from "../tokenizer/load.js";
import { sampleSequences } from "./sample.js";

/** New tokens per completion when neither the options nor `generation_config.json` say (`max_new_tokens`). */
export const DEFAULT_MAX_TOKENS = 1024;

/** A completion with the token ids and log-probs our own model always records. */
export type TokenCompletion = Completion & {
  tokenIds: number[];
  tokenLogprobs: number[];
  logLik: number;
  numTokens: number;
};

/** One prompt's tokenised form and its `n` completions. */
export interface PromptRollout {
  promptTokens: number[];
  completions: TokenCompletion[];
}

/** Extra settings of `rolloutPrompts`. */
export interface RolloutSettings {
  /** Sequences decoded together (default 8). */
  batchSize?: number;
  /** Extra chat-template variables (e.g. `{ enable_thinking: false }`). */
  chatTemplateVariables?: Record<string, unknown>;
}

/** The prompt's token ids: `text` as is, or `messages` through the chat template (with the assistant header). */
export function encodePrompt(
  tok: ModelTokenizer,
  prompt: GenerationPrompt,
  variables?: Record<string, unknown>,
): number[] {
  if (typeof prompt?.text === "string") return tok.tokenizer.encode(prompt.text);
  if (Array.isArray(prompt?.messages))
    return tok.tokenizer.encode(tok.applyChatTemplate(prompt.messages, { addGenerationPrompt: true, variables }));
  throw new ModelError("GENERATE_BAD_PROMPT", `prompt "${prompt?.id}" has neither text nor messages`);
}

function checkOptions(options: GenerateOptions): void {
  if (!Number.isInteger(options?.n) || options.n < 1)
    throw new ModelError("GENERATE_BAD_OPTION", `n must be a positive integer, got ${options?.n}`);
  for (const key of ["temperature", "topP", "maxTokens", "topK", "seed"] as const) {
    const v = options[key];
    if (v !== undefined && !Number.isFinite(v))
      throw new ModelError("GENERATE_BAD_OPTION", `${key} must be a finite number, got ${v}`);
  }
}

/**
 * Samples `options.n` completions per prompt with our own model (KV cache, seeded per (seed, prompt, sample)):
 * unset sampling options fall back to `generation_config.json`, then to temperature 1, no top-p/top-k,
 * `DEFAULT_MAX_TOKENS`. Generation ends at the tokenizer's EOS ids (kept in `tokenIds`, left out of `text`), a stop
 * string (cut from `text`) or `maxTokens` (`finishReason: "length"`).
 */
export function rolloutPrompts(
  model: DecoderModel,
  tok: ModelTokenizer,
  prompts: GenerationPrompt[],
  options: GenerateOptions,
  settings: RolloutSettings = {},
): PromptRollout[] {
  checkOptions(options);
  options.signal?.throwIfAborted();
  const encoded = prompts.map((p) => encodePrompt(tok, p, settings.chatTemplateVariables));
  const g = tok.generation;
  const requests = encoded.flatMap((prompt) =>
    Array.from({ length: options.n }, (_, k) => ({ prompt, sampleIndex: k })),
  );
  const seqs = sampleSequences(
    model,
    requests,
    {
      maxTokens: options.maxTokens ?? g.maxTokens ?? DEFAULT_MAX_TOKENS,
      temperature: options.temperature ?? g.temperature ?? 1,
      topP: options.topP ?? g.topP ?? 1,
      topK: options.topK ?? g.topK ?? 0,
      stop: options.stop,
      seed: options.seed ?? 0,
      eosTokenIds: tok.eosTokenIds,
      batchSize: settings.batchSize,
      signal: options.signal,
    },
    tok.tokenizer,
  );
  return encoded.map((promptTokens, i) => ({
    promptTokens,
    completions: seqs.slice(i * options.n, (i + 1) * options.n).map((s) => ({
      text: s.text ?? "",
      tokenIds: s.tokenIds,
      tokenLogprobs: s.tokenLogprobs,
      logLik: s.tokenLogprobs.reduce((a, b) => a + b, 0),
      numTokens: s.tokenIds.length,
      finishReason: s.finishReason,
    })),
  }));
}
