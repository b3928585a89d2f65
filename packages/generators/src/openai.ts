import { type Completion, type GenerateOptions, type GenerationPrompt, type Generator, SentrlError } from "@sentrl/core";
import { validateGenerateOptions, validatePrompt } from "./options.js";
import { sleep } from "./sleep.js";

export interface OpenAIGeneratorOptions {
  /**
   * Server root, with or without a trailing `/v1` (`http://127.0.0.1:8000` or `http://127.0.0.1:8000/v1`); several
   * engines serving the same weights: prompt `i` goes to `baseURL[i % baseURL.length]`.
   */
  baseURL: string | string[];
  model: string;
  /** Default: `env.OPENAI_API_KEY`; no `Authorization` header when neither is set (a local vLLM). */
  apiKey?: string;
  env?: Record<string, string | undefined>;
  /** Ask for per-token log-probs (fills `tokenLogprobs`, `logLik` and `numTokens`). Default false. */
  logprobs?: boolean;
  /**
   * Ask for the sampled token ids (`return_token_ids`, vLLM ≥ 0.10.2 and `sentrl serve`; fills `tokenIds`). They are
   * read from `choices[].token_ids`, else from log-prob tokens spelt `token_id:<id>` (vLLM's
   * `return_tokens_as_token_ids`). Default false.
   */
  tokenIds?: boolean;
  /** Requests in flight at once (one request per prompt, carrying `n`). Default 8. */
  concurrency?: number;
  /** Retries of a request after a network error, 408, 409, 429 or 5xx. Default 3. */
  maxRetries?: number;
  /** First retry delay in ms, doubled each time (capped at 10 s); a `Retry-After` header wins. Default 500. */
  retryDelayMs?: number;
  /** Per-request time limit in ms. Default 600 000. */
  timeoutMs?: number;
  /** For tests and custom transports. Default: the global `fetch`. */
  fetch?: typeof fetch;
  /** Spec string reported by the generator. */
  spec?: string;
}

/** The endpoint URL: `<base>/v1/<path>`, without doubling a `/v1` already in the base. */
export function openAIEndpoint(baseURL: string, path: "completions" | "chat/completions"): string {
  const base = baseURL.replace(/\/+$/, "");
  return /\/v1$/.test(base) ? `${base}/${path}` : `${base}/v1/${path}`;
}

function positiveInt(name: string, v: number | undefined, fallback: number, min = 1): number {
  if (v === undefined) return fallback;
  if (!Number.isInteger(v) || v < min) {
    throw new SentrlError("GENERATE_BAD_OPTION", `${name} must be an integer ≥ ${min}, got ${v}`);
  }
  return v;
}

const RETRY_STATUS = new Set([408, 409, 429]);

interface ChoiceJSON {
  index?: number;
  text?: string;
  message?: { content?: string | null };
  finish_reason?: string | null;
  token_ids?: number[] | null;
  logprobs?: {
    token_logprobs?: (number | null)[];
    tokens?: string[];
    content?: { token?: string; logprob: number }[] | null;
  } | null;
}

/** Token ids of a choice: `token_ids`, else log-prob tokens spelt `token_id:<id>`; undefined when neither is there. */
function choiceTokenIds(choice: ChoiceJSON, chat: boolean): number[] | undefined {
  if (Array.isArray(choice.token_ids)) return choice.token_ids;
  const spelt = chat ? choice.logprobs?.content?.map((t) => t.token) : choice.logprobs?.tokens;
  if (!Array.isArray(spelt)) return undefined;
  const ids: number[] = [];
  for (const t of spelt) {
    const m = typeof t === "string" ? /^token_id:(\d+)$/.exec(t) : null;
    if (!m) return undefined;
    ids.push(Number(m[1]));
  }
  return ids;
}

function toCompletion(choice: ChoiceJSON, chat: boolean, wantLogprobs: boolean, wantIds = false): Completion {
  const text = chat ? choice.message?.content : choice.text;
  if (typeof text !== "string") {
    throw new SentrlError("OPENAI_BAD_RESPONSE", `a choice has no ${chat ? "message.content" : "text"}`);
  }
  const c: Completion = { text, finishReason: choice.finish_reason ?? "stop" };
  if (wantLogprobs && choice.logprobs) {
    const lp = chat
      ? (choice.logprobs.content ?? []).map((t) => t.logprob)
      : (choice.logprobs.token_logprobs ?? []).map((x) => x ?? 0);
    c.tokenLogprobs = lp;
    c.numTokens = lp.length;
    let sum = 0;
    for (const x of lp) sum += x;
    c.logLik = sum;
  }
  if (wantIds) {
    const ids = choiceTokenIds(choice, chat);
    if (!ids) {
      throw new SentrlError(
        "OPENAI_BAD_RESPONSE",
        "a choice has no token ids (`token_ids`, or log-prob tokens `token_id:<id>`): the server ignores `return_token_ids` (vLLM ≥ 0.10.2, SGLang, sentrl serve support it)",
      );
    }
    c.tokenIds = ids;
    c.numTokens = ids.length;
  }
  return c;
}

/**
 * `openai:<baseURL>#<model>`: samples from an OpenAI-compatible server (vLLM, SGLang, `sentrl serve`). A prompt with
 * `tokens` goes to `/v1/completions` as a token-id prompt, one with `messages` to `/v1/chat/completions`, one with
 * `text` to `/v1/completions`; one request per prompt carries `n`,
 * `temperature`, `top_p`, `top_k` (a vLLM/SGLang extension), `max_tokens`, `stop`, `seed` (the same seed for
 * every prompt) and, when asked, `logprobs`. Choices are returned in their `index` order. Requests run with
 * bounded concurrency and retry transient failures with exponential backoff.
 *
 * Errors: `OPENAI_HTTP_ERROR` (a non-retryable status, with the server's message), `OPENAI_REQUEST_FAILED`
 * (retries exhausted), `OPENAI_BAD_RESPONSE` (not the expected JSON, or fewer than `n` choices).
 *
 * @example
 * ```ts
 * import { createOpenAIGenerator } from "@sentrl/generators";
 * const gen = createOpenAIGenerator({ baseURL: "http://127.0.0.1:8000/v1", model: "Qwen/Qwen2.5-Math-1.5B" });
 * const out = await gen.generate([{ id: "q", messages: [{ role: "user", content: "1+1?" }] }], { n: 4, temperature: 0.6 });
 * ```
 */
export function createOpenAIGenerator(options: OpenAIGeneratorOptions): Generator {
  const baseURLs = Array.isArray(options.baseURL) ? options.baseURL : [options.baseURL];
  if (baseURLs.length === 0 || !baseURLs.every((u) => typeof u === "string" && u !== "")) {
    throw new SentrlError("GENERATE_BAD_OPTION", "baseURL must be a server URL or a non-empty list of them");
  }
  const env = options.env ?? process.env;
  const apiKey = options.apiKey ?? env.OPENAI_API_KEY;
  const concurrency = positiveInt("concurrency", options.concurrency, 8);
  const maxRetries = positiveInt("maxRetries", options.maxRetries, 3, 0);
  const retryDelayMs = options.retryDelayMs ?? 500;
  const timeoutMs = options.timeoutMs ?? 600_000;
  const doFetch = options.fetch ?? globalThis.fetch;
  const wantLogprobs = options.logprobs === true;
  const wantIds = options.tokenIds === true;
  const spec = options.spec ?? `openai:${baseURLs[0]}#${options.model}`;

  async function request(prompt: GenerationPrompt, gen: GenerateOptions, baseURL: string): Promise<Completion[]> {
    const chat = prompt.tokens === undefined && Array.isArray(prompt.messages);
    const body: Record<string, unknown> = { model: options.model, n: gen.n };
    if (prompt.tokens !== undefined) body.prompt = prompt.tokens;
    else if (chat) body.messages = prompt.messages;
    else body.prompt = prompt.text;
    if (gen.temperature !== undefined) body.temperature = gen.temperature;
    if (gen.topP !== undefined) body.top_p = gen.topP;
    if (gen.topK !== undefined) body.top_k = gen.topK;
    if (gen.maxTokens !== undefined) body.max_tokens = gen.maxTokens;
    if (gen.stop !== undefined) body.stop = gen.stop;
    if (gen.seed !== undefined) body.seed = gen.seed;
    if (wantLogprobs) body.logprobs = chat ? true : 1;
    // vLLM ≥ 0.10.2, SGLang (sgl-project/sglang#30917) and sentrl serve answer `token_ids`; older vLLM spells the
    // log-prob tokens `token_id:<id>` instead.
    if (wantIds) {
      body.return_token_ids = true;
      if (wantLogprobs) body.return_tokens_as_token_ids = true;
    }
    const url = openAIEndpoint(baseURL, chat ? "chat/completions" : "completions");
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (apiKey) headers.authorization = `Bearer ${apiKey}`;
    const payload = JSON.stringify(body);

    let lastError: unknown;
    for (let attempt = 0; attempt <= maxRetries; attempt++) {
      gen.signal?.throwIfAborted();
      let delay = Math.min(retryDelayMs * 2 ** attempt, 10_000);
      let response: Response;
      const signals = [AbortSignal.timeout(timeoutMs), ...(gen.signal ? [gen.signal] : [])];
      try {
        response = await doFetch(url, { method: "POST", headers, body: payload, signal: AbortSignal.any(signals) });
      } catch (e) {
        if (gen.signal?.aborted) throw gen.signal.reason;
        lastError = e;
        if (attempt < maxRetries) await sleep(delay, gen.signal);
        continue;
      }
      if (!response.ok) {
        const text = await response.text().catch(() => "");
        const snippet = text.slice(0, 500);
        if (response.status >= 500 || RETRY_STATUS.has(response.status)) {
          lastError = new Error(`HTTP ${response.status}: ${snippet}`);
          const header = response.headers.get("retry-after");
          const retryAfter = header === null ? Number.NaN : Number(header);
          if (Number.isFinite(retryAfter) && retryAfter >= 0) delay = Math.min(retryAfter * 1000, 60_000);
          if (attempt < maxRetries) await sleep(delay, gen.signal);
          continue;
        }
        throw new SentrlError("OPENAI_HTTP_ERROR", `${url} answered HTTP ${response.status}: ${snippet}`);
      }
      let json: { choices?: ChoiceJSON[] };
      try {
        json = (await response.json()) as { choices?: ChoiceJSON[] };
      } catch (e) {
        throw new SentrlError("OPENAI_BAD_RESPONSE", `${url} did not answer JSON (${(e as Error).message})`, {
          cause: e,
        });
      }
      const choices = Array.isArray(json?.choices) ? [...json.choices] : null;
      if (!choices || choices.length < gen.n) {
        throw new SentrlError(
          "OPENAI_BAD_RESPONSE",
          `${url} returned ${choices ? choices.length : "no"} choices for prompt "${prompt.id}", ${gen.n} were asked for`,
        );
      }
      choices.sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
      return choices.slice(0, gen.n).map((c) => toCompletion(c, chat, wantLogprobs, wantIds));
    }
    throw new SentrlError(
      "OPENAI_REQUEST_FAILED",
      `${url} failed ${maxRetries + 1} times for prompt "${prompt.id}": ${(lastError as Error)?.message ?? lastError}; is the server up?`,
      { cause: lastError },
    );
  }

  return {
    spec,
    async generate(prompts, gen) {
      validateGenerateOptions(gen);
      for (let i = 0; i < prompts.length; i++) validatePrompt(prompts[i], i, true);
      const results: Completion[][] = new Array(prompts.length);
      let next = 0;
      let failed = false;
      const worker = async () => {
        while (!failed && next < prompts.length) {
          const i = next++;
          try {
            results[i] = await request(prompts[i], gen, baseURLs[i % baseURLs.length]);
          } catch (e) {
            failed = true;
            throw e;
          }
        }
      };
      const workers = Array.from({ length: Math.min(concurrency, prompts.length) }, worker);
      await Promise.all(workers);
      return results;
    },
  };
}
