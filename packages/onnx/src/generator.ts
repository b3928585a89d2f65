import type { Completion, GenerateOptions, GenerationPrompt, Generator } from "@sentrl/core";
import { SentrlError } from "@sentrl/core";
import { OnnxCausalLM, type OnnxKvCache } from "./causal-lm.js";
import { RowSampler } from "./row-sampler.js";

/** New tokens per completion when neither the options nor `generation_config.json` say (as `local:`). */
export const ONNX_DEFAULT_MAX_TOKENS = 1024;

/** A completion of the `onnx:` generator: token ids (EOS included) and their log-probs always present. */
export type OnnxCompletion = Completion & {
  tokenIds: number[];
  tokenLogprobs: number[];
  logLik: number;
  numTokens: number;
};

/** Options of `createOnnxGenerator`. */
export interface OnnxGeneratorOptions {
  /** The spec to report (default `onnx:<dir>`). */
  spec?: string;
}

function checkOptions(o: GenerateOptions): void {
  if (!Number.isInteger(o?.n) || o.n < 1)
    throw new SentrlError("GENERATE_BAD_OPTION", `n must be a positive integer, got ${o?.n}`);
  for (const key of ["temperature", "topP", "maxTokens", "topK", "seed"] as const) {
    const v = o[key];
    if (v !== undefined && !Number.isFinite(v))
      throw new SentrlError("GENERATE_BAD_OPTION", `${key} must be a finite number, got ${v}`);
  }
}

/**
 * The `onnx:<dir>` generator (docs/contracts.md §7): samples from an ONNX causal LM with its KV cache, with the
 * sampling semantics of `local:` (docs/contracts.md §9): completion c of a prompt draws from the stream
 * `sampleRng(seed, promptTokens, c)` of `@sentrl/model` through the same sampling kernel (temperature, top-k, top-p;
 * temperature 0 = argmax), and `tokenLogprobs` are log p at the sampling temperature before truncation. On the same
 * weights and prompt tokens, `onnx:` and `local:` therefore draw the same tokens (up to float ties). Each prompt is
 * prefilled once and its cache shared by its n samples; sequences decode one at a time (batch 1), so a completion
 * never depends on the other prompts.
 */
export class OnnxGenerator implements Generator {
  constructor(
    readonly spec: string,
    readonly lm: OnnxCausalLM,
  ) {}

  /** The prompt's token ids: `text` encoded as the tokenizer does by default, or `messages` through its chat template. */
  encodePrompt(prompt: GenerationPrompt): number[] {
    const tok = this.lm.tokenizer;
    if (typeof prompt?.text === "string") return tok.encode(prompt.text);
    if (Array.isArray(prompt?.messages)) {
      const text = tok.apply_chat_template(prompt.messages, { add_generation_prompt: true, tokenize: false }) as string;
      return tok.encode(text, { add_special_tokens: false });
    }
    throw new SentrlError("GENERATE_BAD_PROMPT", `prompt "${prompt?.id}" has neither text nor messages`);
  }

  async generate(prompts: GenerationPrompt[], options: GenerateOptions): Promise<OnnxCompletion[][]> {
    return this.generateFromTokens(
      prompts.map((p) => this.encodePrompt(p)),
      options,
    );
  }

  /** Like `generate`, for prompts given as token ids (`sentrl generate`'s `{"id", "tokens"}` input). */
  async generateFromTokens(
    prompts: readonly (readonly number[])[],
    options: GenerateOptions,
  ): Promise<OnnxCompletion[][]> {
    checkOptions(options);
    const d = this.lm.defaults;
    const settings = {
      temperature: options.temperature ?? d.temperature ?? 1,
      topP: options.topP ?? d.topP ?? 1,
      topK: options.topK ?? d.topK ?? 0,
      seed: options.seed ?? 0,
    };
    const maxTokens = options.maxTokens ?? d.maxTokens ?? ONNX_DEFAULT_MAX_TOKENS;
    const sampler = await RowSampler.create(this.lm.vocab, settings);
    const out: OnnxCompletion[][] = [];
    for (let i = 0; i < prompts.length; i++) {
      options.signal?.throwIfAborted();
      const tokens = Array.from(prompts[i]);
      if (tokens.length === 0) throw new SentrlError("GENERATE_BAD_PROMPT", `prompt #${i} has no tokens`);
      const first = maxTokens > 0 ? await this.lm.step(tokens, this.lm.emptyCache()) : undefined;
      const completions: OnnxCompletion[] = [];
      for (let c = 0; c < options.n; c++)
        completions.push(await this.sampleOne(tokens, c, first, sampler, maxTokens, options));
      out.push(completions);
    }
    return out;
  }

  private async sampleOne(
    prompt: number[],
    index: number,
    first: { logits: Float32Array; cache: OnnxKvCache } | undefined,
    sampler: RowSampler,
    maxTokens: number,
    options: GenerateOptions,
  ): Promise<OnnxCompletion> {
    const eos = new Set(this.lm.defaults.eosTokenIds);
    const stops = (options.stop ?? []).filter((s) => s !== "");
    const tok = this.lm.tokenizer;
    const rng = sampler.stream(prompt, index);
    const tokenIds: number[] = [];
    const tokenLogprobs: number[] = [];
    const decode = () => (tokenIds.length === 0 ? "" : tok.decode(tokenIds, { skip_special_tokens: true }));
    let finishReason: "stop" | "length" = "length";
    let text: string | undefined;
    let step = first;
    while (step && tokenIds.length < maxTokens) {
      options.signal?.throwIfAborted();
      const { token, logprob } = sampler.pick(step.logits, rng);
      tokenIds.push(token);
      tokenLogprobs.push(logprob);
      if (eos.has(token)) {
        finishReason = "stop";
        break;
      }
      if (stops.length > 0) {
        const s = decode();
        let cut = -1;
        for (const st of stops) {
          const i = s.indexOf(st);
          if (i >= 0 && (cut < 0 || i < cut)) cut = i;
        }
        if (cut >= 0) {
          text = s.slice(0, cut);
          finishReason = "stop";
          break;
        }
      }
      if (tokenIds.length >= maxTokens) break;
      step = await this.lm.step([token], step.cache);
    }
    const logLik = tokenLogprobs.reduce((a, b) => a + b, 0);
    return { text: text ?? decode(), tokenIds, tokenLogprobs, logLik, numTokens: tokenIds.length, finishReason };
  }

  /** Frees the ONNX sessions. */
  async close(): Promise<void> {
    await this.lm.dispose();
  }
}

/**
 * Loads a local ONNX causal LM folder and returns an `OnnxGenerator`. Needs the optional packages
 * `@huggingface/transformers` and `onnxruntime-node` (`ONNX_DEPENDENCY_MISSING` otherwise).
 *
 * @example
 * ```ts
 * import { createOnnxGenerator } from "@sentrl/onnx";
 * const gen = await createOnnxGenerator("tools/onnx/models/tiny-qwen2");
 * const [[c]] = await gen.generate([{ id: "q1", text: "ab" }], { n: 1, temperature: 0, maxTokens: 4 });
 * console.log(c.tokenIds.length, c.tokenLogprobs.length); // → 4
 * await gen.close();
 * ```
 */
export async function createOnnxGenerator(dir: string, options: OnnxGeneratorOptions = {}): Promise<OnnxGenerator> {
  const lm = await OnnxCausalLM.load(dir);
  return new OnnxGenerator(options.spec ?? `onnx:${dir}`, lm);
}
