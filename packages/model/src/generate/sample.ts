import type { DecoderModel } from "../decoder.js";
import { ModelError } from "../errors.js";
import type { Tokenizer } from "../tokenizer/tokenizer.js";
import { IncrementalDecoder } from "./incremental.js";
import { cloneKvCache, type KvCache } from "./kv-cache.js";
import { sampleRng } from "./seed.js";

/** Options of `sampleSequences`. */
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
  /** Decode with a per-layer K/V cache (default true); false recomputes the whole sequence each step. */
  useCache?: boolean;
  signal?: AbortSignal;
}

/** One sequence to sample: prompt token ids and the sample's index (its random stream). */
export interface SampleRequest {
  prompt: ArrayLike<number>;
  sampleIndex: number;
}

/** A sampled continuation. */
export interface SampledSequence {
  /** New token ids (an EOS token that ended it included; tokens after a stop string's end are not sampled). */
  tokenIds: number[];
  /** `log p(token)` at the sampling temperature (temperature 1 when greedy), before top-k/top-p filtering. */
  tokenLogprobs: number[];
  finishReason: "stop" | "length";
  /** Decoded text without special tokens, cut before a stop string (only with a tokenizer). */
  text?: string;
}

interface RowState {
  index: number;
  rng: ReturnType<typeof sampleRng>;
  cache: KvCache | undefined;
  prompt: number[];
  out: SampledSequence;
  text: string;
  decoder: InstanceType<typeof TextDecoder> | undefined;
}

function checkOptions(
  o: SamplingOptions,
): Required<Pick<SamplingOptions, "maxTokens" | "temperature" | "topP" | "topK" | "seed" | "batchSize">> {
  const { maxTokens, temperature = 1, topP = 1, topK = 0, seed = 0, batchSize = 8 } = o;
  const bad = (what: string) => new ModelError("MODEL_BAD_ARGUMENT", what);
  if (!Number.isInteger(maxTokens) || maxTokens < 0)
    throw bad(`maxTokens must be a non-negative integer, got ${maxTokens}`);
  if (!(temperature >= 0) || !Number.isFinite(temperature))
    throw bad(`temperature must be ≥ 0 and finite, got ${temperature}`);
  if (!(topP > 0 && topP <= 1)) throw bad(`topP must be in (0, 1], got ${topP}`);
  if (!Number.isInteger(topK) || topK < 0) throw bad(`topK must be a non-negative integer, got ${topK}`);
  if (!Number.isSafeInteger(seed) || seed < 0) throw bad(`seed must be a non-negative integer, got ${seed}`);
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw bad(`batchSize must be a positive integer, got ${batchSize}`);
  return { maxTokens, temperature, topP, topK, seed, batchSize };
}

/** `z[y]/T − logsumexp(z/T)` over one row of logits (float64). */
function tokenLogprob(logits: Float32Array, offset: number, vocab: number, y: number, temperature: number): number {
  const inv = 1 / temperature;
  let max = Number.NEGATIVE_INFINITY;
  for (let j = 0; j < vocab; j++) {
    const z = logits[offset + j] * inv;
    if (z > max) max = z;
  }
  let sum = 0;
  for (let j = 0; j < vocab; j++) sum += Math.exp(logits[offset + j] * inv - max);
  return logits[offset + y] * inv - max - Math.log(sum);
}

/**
 * Samples continuations of token prompts with the model: prefill each distinct prompt once, then decode step by step
 * with a per-layer K/V cache, drawing each token with the Backend's `sample` kernel from the sample's own seeded
 * uniform stream. Stops at an EOS id, a stop string (with `tokenizer`) or `maxTokens`. Up to `batchSize` sequences
 * decode together; a finished row's slot is refilled with the next waiting request (continuous batching).
 *
 * @example
 * ```ts
 * const [seq] = sampleSequences(model, [{ prompt: [1, 2, 3], sampleIndex: 0 }], { maxTokens: 16, temperature: 0.7, seed: 1 });
 * seq.tokenIds; seq.tokenLogprobs; seq.finishReason; // "length" | "stop"
 * ```
 */
export function sampleSequences(
  model: DecoderModel,
  requests: SampleRequest[],
  options: SamplingOptions,
  tokenizer?: Tokenizer,
): SampledSequence[] {
  const { maxTokens, temperature, topP, topK, seed, batchSize } = checkOptions(options);
  const stops = (options.stop ?? []).filter((s) => s !== "");
  if (stops.length > 0 && !tokenizer) throw new ModelError("MODEL_BAD_ARGUMENT", "stop strings need a tokenizer");
  const eos = new Set<number>(Array.from(options.eosTokenIds ?? []));
  const V = model.config.vocabSize;
  const useCache = options.useCache ?? true;
  const maxStop = Math.max(0, ...stops.map((s) => s.length));
  const results: SampledSequence[] = new Array(requests.length);
  const dec = new IncrementalDecoder(model, Math.min(batchSize, Math.max(1, requests.length)));
  const host = new Float32Array(dec.maxRows * V);
  const uniforms = new Float64Array(dec.maxRows);
  const lpTemperature = temperature > 0 ? temperature : 1;

  const finishRow = (s: RowState, reason: "stop" | "length", flush: boolean) => {
    s.out.finishReason = reason;
    if (s.decoder) s.out.text = flush ? s.text + s.decoder.decode() : s.text;
    s.cache = undefined;
  };

  /** Appends token y; returns true when the row is finished. */
  const accept = (s: RowState, y: number, lp: number): boolean => {
    s.out.tokenIds.push(y);
    s.out.tokenLogprobs.push(lp);
    if (eos.has(y)) {
      finishRow(s, "stop", true);
      return true;
    }
    if (s.decoder && tokenizer?.has(y) && !tokenizer.isSpecial(y)) {
      const before = s.text.length;
      s.text += s.decoder.decode(tokenizer.tokenBytes(y), { stream: true });
      if (stops.length > 0) {
        const from = Math.max(0, before - maxStop + 1);
        let cut = -1;
        for (const st of stops) {
          const i = s.text.indexOf(st, from);
          if (i >= 0 && (cut < 0 || i < cut)) cut = i;
        }
        if (cut >= 0) {
          s.text = s.text.slice(0, cut);
          finishRow(s, "stop", false);
          return true;
        }
      }
    }
    if (s.out.tokenIds.length >= maxTokens) {
      finishRow(s, "length", true);
      return true;
    }
    return false;
  };

  const makeState = (req: SampleRequest, index: number): RowState => {
    const prompt = Array.from(req.prompt);
    if (prompt.length === 0) throw new ModelError("MODEL_BAD_TOKENS", `request #${index} has an empty prompt`);
    const out: SampledSequence = { tokenIds: [], tokenLogprobs: [], finishReason: "length" };
    results[index] = out;
    const decoder = tokenizer ? new TextDecoder("utf-8") : undefined;
    return { index, rng: sampleRng(seed, prompt, req.sampleIndex), cache: undefined, prompt, out, text: "", decoder };
  };

  /**
   * Continuous batching: fills the free rows with waiting requests, prefilling each distinct prompt once (its
   * duplicates copy the cache), and writes their next-token logits to `host` after the `active` rows'.
   */
  let nextRequest = 0;
  const admit = (active: RowState[]): RowState[] => {
    const take = requests.slice(nextRequest, nextRequest + dec.maxRows - active.length);
    const added = take.map((req, j) => makeState(req, nextRequest + j));
    nextRequest += take.length;
    const distinct = new Map<string, number>();
    const firstOf: number[] = [];
    const unique: number[][] = [];
    for (const s of added) {
      const key = s.prompt.join(",");
      let u = distinct.get(key);
      if (u === undefined) {
        u = unique.length;
        distinct.set(key, u);
        unique.push(s.prompt);
      }
      firstOf.push(u);
    }
    const caches = unique.map((p) => dec.newCache(p.length + (useCache ? Math.min(maxTokens, 128) : 0)));
    const logits = model.backend.download(dec.prefill(unique, caches), undefined, 0, unique.length * V);
    added.forEach((s, j) => {
      const u = firstOf[j];
      host.set(logits.subarray(u * V, (u + 1) * V), (active.length + j) * V);
      if (useCache) s.cache = firstOf.indexOf(u) === j ? caches[u] : cloneKvCache(caches[u]);
    });
    return added;
  };

  try {
    if (maxTokens === 0) {
      for (let i = 0; i < requests.length; i++) finishRow(makeState(requests[i], i), "length", true);
      return results;
    }
    let active: RowState[] = [];
    while (active.length > 0 || nextRequest < requests.length) {
      options.signal?.throwIfAborted();
      // `host` holds the active rows' logits; new rows are appended and the whole block goes to the device.
      if (nextRequest < requests.length && active.length < dec.maxRows) {
        active = [...active, ...admit(active)];
        model.backend.upload(dec.logits, host.subarray(0, active.length * V));
      }
      const R = active.length;
      for (let r = 0; r < R; r++) uniforms[r] = active[r].rng.uniform();
      const picks = model.backend.sample({
        logits: dec.logits,
        rows: R,
        vocab: V,
        uniforms: uniforms.subarray(0, R),
        temperature,
        topK,
        topP,
      });
      const next: RowState[] = [];
      for (let r = 0; r < R; r++) {
        const y = picks[r];
        if (!accept(active[r], y, tokenLogprob(host, r * V, V, y, lpTemperature))) next.push(active[r]);
      }
      active = next;
      if (active.length === 0) continue;
      options.signal?.throwIfAborted();
      if (useCache) {
        dec.step(
          active.map((s) => s.out.tokenIds[s.out.tokenIds.length - 1]),
          active.map((s) => s.cache as KvCache),
          active.length,
        );
      } else {
        const rows = active.map((s) => [...s.prompt, ...s.out.tokenIds]);
        dec.prefill(
          rows,
          rows.map((r) => dec.newCache(r.length)),
        );
      }
      model.backend.download(dec.logits, host, 0, active.length * V);
    }
  } finally {
    dec.dispose();
  }
  return results;
}
