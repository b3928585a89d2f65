import { ApiError, badParam } from "./api-error.js";

/** The sampling settings of one `/v1/completions` or `/v1/chat/completions` request (docs/contracts.md §10). */
export interface SamplingRequest {
  /** Token ids of each prompt (several for a completions request with a list of prompts). */
  prompts: number[][];
  /** Completions per prompt: completion `c` of a prompt is sampled with sample index `c` (docs/contracts.md §9). */
  n: number;
  maxTokens: number;
  temperature: number;
  topP: number;
  topK: number;
  seed: number;
  stop: string[];
  /** Per-token log-probs in the answer; `topLogprobs` alternatives each (only the sampled token is known). */
  logprobs: boolean;
  topLogprobs: number;
  stream: boolean;
  /** `stream_options.include_usage`: a last chunk with `usage`. */
  includeUsage: boolean;
  /** vLLM's `return_token_ids`: `token_ids` and `prompt_token_ids` on each choice. */
  returnTokenIds: boolean;
  /** vLLM's `return_tokens_as_token_ids`: log-prob tokens spelt `token_id:<id>`. */
  tokensAsIds: boolean;
}

/** What the server allows (sentrl serve's flags). */
export interface RequestLimits {
  /** Largest `max_tokens`. */
  maxTokens: number;
  /** Largest `n`. */
  maxN: number;
  /** Positions the model supports (prompt + new tokens). */
  contextLength: number;
  vocabSize: number;
}

/** The parts of a body both endpoints share. */
export interface Body {
  [key: string]: unknown;
}

const UNSUPPORTED: Record<string, (v: unknown) => boolean> = {
  echo: (v) => v === true,
  suffix: (v) => v !== undefined && v !== null && v !== "",
  best_of: (v) => v !== undefined && v !== null && v !== 1,
  presence_penalty: (v) => v !== undefined && v !== null && v !== 0,
  frequency_penalty: (v) => v !== undefined && v !== null && v !== 0,
  logit_bias: (v) => v !== undefined && v !== null && Object.keys(v as object).length > 0,
  tools: (v) => Array.isArray(v) && v.length > 0,
  response_format: (v) => v !== undefined && v !== null && (v as { type?: unknown }).type !== "text",
};

function optionalNumber(body: Body, key: string, fallback: number, check: (x: number) => boolean, what: string): number {
  const v = body[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== "number" || !Number.isFinite(v) || !check(v)) throw badParam(key, `must be ${what}, got ${JSON.stringify(v)}`);
  return v;
}

function optionalBool(body: Body, key: string): boolean {
  const v = body[key];
  if (v === undefined || v === null) return false;
  if (typeof v !== "boolean") throw badParam(key, `must be true or false, got ${JSON.stringify(v)}`);
  return v;
}

/** The settings every sampling request reads; `prompts` are the caller's (already tokenised). */
export function parseSampling(body: Body, prompts: number[][], limits: RequestLimits, chat: boolean): SamplingRequest {
  for (const [key, unsupported] of Object.entries(UNSUPPORTED)) {
    if (unsupported(body[key])) throw new ApiError(400, `${key} is not supported by sentrl serve`, "unsupported_parameter", key);
  }
  const int = (x: number) => Number.isSafeInteger(x);
  const n = optionalNumber(body, "n", 1, (x) => int(x) && x >= 1 && x <= limits.maxN, `an integer in [1, ${limits.maxN}]`);
  const maxKey = chat && body.max_completion_tokens !== undefined ? "max_completion_tokens" : "max_tokens";
  const maxTokens = optionalNumber(body, maxKey, Math.min(256, limits.maxTokens), (x) => int(x) && x >= 0 && x <= limits.maxTokens, `an integer in [0, ${limits.maxTokens}] (sentrl serve --max-tokens-limit)`);
  const temperature = optionalNumber(body, "temperature", 1, (x) => x >= 0, "a number ≥ 0");
  const topP = optionalNumber(body, "top_p", 1, (x) => x > 0 && x <= 1, "a number in (0, 1]");
  // vLLM and SGLang spell "off" as -1; ours is 0.
  const topK = Math.max(0, optionalNumber(body, "top_k", 0, (x) => int(x) && x >= -1, "an integer ≥ -1 (-1 or 0: off)"));
  const seed = optionalNumber(body, "seed", 0, (x) => int(x) && x >= 0, "a non-negative integer");
  let stop: string[] = [];
  const s = body.stop;
  if (typeof s === "string") stop = [s];
  else if (Array.isArray(s) && s.length <= 16 && s.every((x) => typeof x === "string")) stop = s as string[];
  else if (s !== undefined && s !== null) throw badParam("stop", "must be a string or a list of at most 16 strings");
  let logprobs = false;
  let topLogprobs = 0;
  if (chat) {
    logprobs = optionalBool(body, "logprobs");
    topLogprobs = optionalNumber(body, "top_logprobs", 0, (x) => int(x) && x >= 0 && x <= 20, "an integer in [0, 20]");
  } else if (body.logprobs !== undefined && body.logprobs !== null && body.logprobs !== false) {
    // Completions: an integer count of alternatives per token (`true` is read as 0 by some clients: accept it).
    const v = body.logprobs === true ? 0 : body.logprobs;
    if (typeof v !== "number" || !int(v) || v < 0 || v > 20) throw badParam("logprobs", `must be an integer in [0, 20], got ${JSON.stringify(body.logprobs)}`);
    logprobs = true;
    topLogprobs = v;
  }
  const stream = optionalBool(body, "stream");
  const so = body.stream_options;
  if (so !== undefined && so !== null && (typeof so !== "object" || Array.isArray(so))) throw badParam("stream_options", "must be an object");
  const includeUsage = stream && (so as { include_usage?: unknown } | null | undefined)?.include_usage === true;
  for (const p of prompts) {
    if (p.length === 0) throw badParam(chat ? "messages" : "prompt", "a prompt needs at least one token");
    for (const id of p) {
      if (id >= limits.vocabSize) throw new ApiError(422, `prompt token ${id} is outside the vocabulary [0, ${limits.vocabSize})`, "invalid_token", chat ? "messages" : "prompt");
    }
    if (p.length + maxTokens > limits.contextLength)
      throw new ApiError(422, `the prompt (${p.length} tokens) plus max_tokens (${maxTokens}) exceeds the model's context of ${limits.contextLength} positions`, "context_length_exceeded", maxKey);
  }
  return {
    prompts,
    n,
    maxTokens,
    temperature,
    topP,
    topK,
    seed,
    stop,
    logprobs,
    topLogprobs,
    stream,
    includeUsage,
    returnTokenIds: optionalBool(body, "return_token_ids"),
    tokensAsIds: optionalBool(body, "return_tokens_as_token_ids"),
  };
}

/** `prompt` of `/v1/completions`: a string, a list of strings, a token-id list or a list of token-id lists. */
export function completionPrompts(body: Body, encode: ((text: string) => number[]) | undefined): number[][] {
  const p = body.prompt;
  const isIds = (x: unknown): x is number[] => Array.isArray(x) && x.length > 0 && x.every((t) => Number.isSafeInteger(t) && (t as number) >= 0);
  const text = (t: string) => {
    if (!encode) throw new ApiError(400, "text prompts need the model's tokenizer.json; send token ids instead", "tokenizer_missing", "prompt");
    return encode(t);
  };
  if (typeof p === "string") return [text(p)];
  if (isIds(p)) return [p];
  if (Array.isArray(p) && p.length > 0 && p.length <= 1024) {
    if (p.every((x) => typeof x === "string")) return (p as string[]).map(text);
    if (p.every(isIds)) return p as number[][];
  }
  throw badParam("prompt", "must be a string, a list of strings, a list of token ids (non-negative integers) or a list of such lists (at most 1024)");
}

/** Chat `messages` as the template's `{role, content}` list (text parts of a content array are joined). */
export function chatMessages(body: Body): { role: string; content: string }[] {
  const m = body.messages;
  if (!Array.isArray(m) || m.length === 0) throw badParam("messages", "must be a non-empty list of {role, content}");
  return m.map((x, i) => {
    if (x === null || typeof x !== "object" || typeof (x as { role?: unknown }).role !== "string")
      throw badParam(`messages[${i}]`, "must be an object with a string role");
    const c = (x as { content?: unknown }).content;
    let content: string;
    if (typeof c === "string") content = c;
    else if (c === null || c === undefined) content = "";
    else if (Array.isArray(c) && c.every((part) => part && typeof part === "object" && (part as { type?: unknown }).type === "text" && typeof (part as { text?: unknown }).text === "string"))
      content = c.map((part) => (part as { text: string }).text).join("");
    else throw badParam(`messages[${i}].content`, "must be a string or a list of {type: \"text\", text} parts");
    return { role: (x as { role: string }).role, content };
  });
}
