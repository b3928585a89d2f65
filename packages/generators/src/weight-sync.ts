import { SentrlError } from "@sentrl/core";
import { sleep } from "./sleep.js";

/**
 * Which reload API the engines speak:
 * - `sglang`: `POST /update_weights_from_disk {"model_path": dir}` (SGLang ≥ 0.4, and `sentrl serve`): the engine
 *   loads the folder the trainer names;
 * - `vllm`: `POST /collective_rpc {"method": "reload_weights"}` then `POST /reset_prefix_cache` (vLLM ≥ 0.10.2
 *   started with `VLLM_SERVER_DEV_MODE=1`): the engine re-reads the folder it was started from, so the trainer must
 *   write there.
 */
export type WeightSyncApi = "sglang" | "vllm";

/** Options of {@link createWeightSync}. */
export interface WeightSyncOptions {
  /** The engines (server roots, with or without `/v1`); every one of them is told to load. */
  baseURLs: string[];
  /** Default `sglang` (which `sentrl serve` also speaks). */
  api?: WeightSyncApi;
  /** Default `env.OPENAI_API_KEY`; sent as a bearer token when set. */
  apiKey?: string;
  env?: Record<string, string | undefined>;
  /** Retries of an engine after a network error or a 5xx/408/429 answer. Default 3. */
  maxRetries?: number;
  /** First retry delay in ms, doubled each time (capped at 10 s). Default 500. */
  retryDelayMs?: number;
  /** Per-call time limit in ms (a reload reads the whole model). Default 600 000. */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/** Tells inference engines to load new weights from disk. */
export interface WeightSync {
  /** Every engine loads the weights in `dir` (a Hugging Face folder); resolves when all answered success. */
  load(dir: string, signal?: AbortSignal): Promise<void>;
}

function serverRoot(baseURL: string): string {
  return baseURL.replace(/\/+$/, "").replace(/\/v1$/, "");
}

/**
 * A {@link WeightSync} for SGLang, vLLM or `sentrl serve` engines. Each engine is called with retries and exponential
 * backoff; after the last failure `ENGINE_WEIGHT_SYNC_FAILED` names the engine and its answer. A 4xx answer (a bad
 * folder, a different architecture) fails at once as `ENGINE_WEIGHT_SYNC_REFUSED`.
 *
 * @example
 * ```ts
 * import { createWeightSync } from "@sentrl/generators";
 * const sync = createWeightSync({ baseURLs: ["http://127.0.0.1:30000"] });
 * await sync.load("/runs/a/weights/step-3");
 * ```
 */
export function createWeightSync(options: WeightSyncOptions): WeightSync {
  const api = options.api ?? "sglang";
  if (api !== "sglang" && api !== "vllm") throw new SentrlError("GENERATE_BAD_OPTION", `api must be sglang or vllm, got ${api}`);
  if (!Array.isArray(options.baseURLs) || options.baseURLs.length === 0) throw new SentrlError("GENERATE_BAD_OPTION", "baseURLs must list at least one engine");
  const env = options.env ?? process.env;
  const apiKey = options.apiKey ?? env.OPENAI_API_KEY;
  const maxRetries = options.maxRetries ?? 3;
  const retryDelayMs = options.retryDelayMs ?? 500;
  const timeoutMs = options.timeoutMs ?? 600_000;
  const doFetch = options.fetch ?? globalThis.fetch;
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (apiKey) headers.authorization = `Bearer ${apiKey}`;

  async function call(url: string, body: unknown, signal?: AbortSignal): Promise<void> {
    let last = "";
    for (let attempt = 0; attempt <= maxRetries; attempt++) {
      signal?.throwIfAborted();
      if (attempt > 0) await sleep(Math.min(retryDelayMs * 2 ** (attempt - 1), 10_000), signal);
      let response: Response;
      try {
        const signals = [AbortSignal.timeout(timeoutMs), ...(signal ? [signal] : [])];
        response = await doFetch(url, { method: "POST", headers, body: JSON.stringify(body), signal: AbortSignal.any(signals) });
      } catch (e) {
        if (signal?.aborted) throw signal.reason;
        last = (e as Error).message;
        continue;
      }
      const text = await response.text().catch(() => "");
      let json: { success?: unknown; message?: unknown } | null = null;
      try {
        json = JSON.parse(text);
      } catch {
        // vLLM's reset_prefix_cache answers an empty body
      }
      if (response.ok && json?.success !== false) return;
      last = `HTTP ${response.status}: ${text.slice(0, 500)}`;
      if (response.ok || (response.status < 500 && response.status !== 408 && response.status !== 429)) {
        throw new SentrlError("ENGINE_WEIGHT_SYNC_REFUSED", `${url} refused the new weights (${last}); check that the folder holds weights of the served architecture and that the engine can read it`);
      }
    }
    throw new SentrlError("ENGINE_WEIGHT_SYNC_FAILED", `${url} failed ${maxRetries + 1} times (${last}); is the engine up? The step was not trained: resume the run once it is`);
  }

  return {
    async load(dir, signal) {
      // Every engine is waited for (none is left loading behind an error); the first failure is thrown.
      const results = await Promise.allSettled(
        options.baseURLs.map(async (b) => {
          const root = serverRoot(b);
          if (api === "sglang") return call(`${root}/update_weights_from_disk`, { model_path: dir }, signal);
          await call(`${root}/collective_rpc`, { method: "reload_weights" }, signal);
          await call(`${root}/reset_prefix_cache`, {}, signal);
        }),
      );
      const failed = results.find((r) => r.status === "rejected");
      if (failed) throw (failed as PromiseRejectedResult).reason;
    },
  };
}
