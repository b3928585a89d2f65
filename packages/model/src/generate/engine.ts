import type { DeviceBuffer } from "@sentrl/compute";
import type { DecoderModel } from "../decoder.js";
import { ModelError } from "../errors.js";
import type { Tokenizer } from "../tokenizer/tokenizer.js";
import { CachedForward } from "./forward.js";
import { KvSlots } from "./kv-slots.js";
import { sampleRng } from "./seed.js";

/**
 * One sequence to generate (docs/contracts.md §9). The token stream is a pure function of
 * (model, prompt, settings, seed, sampleIndex): it does not depend on the other requests or on the batch size.
 */
export interface GenerationRequest {
  /** Prompt token ids (at least one). */
  prompt: ArrayLike<number>;
  /** The sample's index among the completions of this prompt (its random stream; default 0). */
  sampleIndex?: number;
  /** Base seed (default 0). */
  seed?: number;
  /** Largest number of new tokens. */
  maxTokens: number;
  /** Default 1; 0 is greedy (argmax, lowest id on ties). */
  temperature?: number;
  /** Nucleus filter in (0, 1] (default 1: off). */
  topP?: number;
  /** Keep the k most probable tokens (default 0: off). */
  topK?: number;
  /** Token ids that end the sequence (kept as its last token). */
  eosTokenIds?: ArrayLike<number>;
  /** Strings that end the sequence (the engine needs a tokenizer); the text stops before the first one found. */
  stop?: string[];
  /**
   * Called for each token as it is sampled, with its log-prob and the new text that is final (text is held back
   * while it could still be the start of a stop string; the last call flushes it).
   */
  onToken?: (token: { id: number; logprob: number; text: string }) => void;
  /** Aborting drops the sequence (its slot is reused at the next step) and rejects its promise with the reason. */
  signal?: AbortSignal;
}

/** A generated continuation. */
export interface SampledSequence {
  /** New token ids (an EOS token that ended it included; tokens after a stop string's end are not sampled). */
  tokenIds: number[];
  /** `log p(token)` at the sampling temperature (temperature 1 when greedy), before top-k/top-p filtering. */
  tokenLogprobs: number[];
  finishReason: "stop" | "length";
  /** Decoded text without special tokens, cut before a stop string (only with a tokenizer). */
  text?: string;
}

/** Options of `createGenerationEngine`. */
export interface GenerationEngineOptions {
  /** Sequences decoded together: the number of KV-cache slots (default 8). */
  maxBatch?: number;
  /** Decodes text and finds stop strings (needed for `stop`). */
  tokenizer?: Tokenizer;
  /** Positions per slot to start with (default 256); grows when a longer request arrives. */
  capacity?: number;
}

interface Settings {
  prompt: number[];
  maxTokens: number;
  temperature: number;
  topP: number;
  topK: number;
  eos: Set<number>;
  stops: string[];
  maxStop: number;
}

interface Row {
  settings: Settings;
  request: GenerationRequest;
  rng: ReturnType<typeof sampleRng>;
  out: SampledSequence;
  slot: number;
  /** Positions in the cache (prompt + fed tokens). */
  length: number;
  text: string;
  emitted: number;
  decoder: InstanceType<typeof TextDecoder> | undefined;
  settle: (error: unknown) => void;
}

function checkRequest(req: GenerationRequest, vocab: number, hasTokenizer: boolean): Settings {
  const { maxTokens, temperature = 1, topP = 1, topK = 0, seed = 0, sampleIndex = 0 } = req;
  const bad = (what: string) => new ModelError("MODEL_BAD_ARGUMENT", what);
  if (!Number.isInteger(maxTokens) || maxTokens < 0) throw bad(`maxTokens must be a non-negative integer, got ${maxTokens}`);
  if (!(temperature >= 0) || !Number.isFinite(temperature)) throw bad(`temperature must be ≥ 0 and finite, got ${temperature}`);
  if (!(topP > 0 && topP <= 1)) throw bad(`topP must be in (0, 1], got ${topP}`);
  if (!Number.isInteger(topK) || topK < 0) throw bad(`topK must be a non-negative integer, got ${topK}`);
  if (!Number.isSafeInteger(seed) || seed < 0) throw bad(`seed must be a non-negative integer, got ${seed}`);
  if (!Number.isSafeInteger(sampleIndex) || sampleIndex < 0) throw bad(`sampleIndex must be a non-negative integer, got ${sampleIndex}`);
  const prompt = Array.from(req.prompt ?? []);
  if (prompt.length === 0) throw new ModelError("MODEL_BAD_TOKENS", "empty prompt: every prompt needs at least one token");
  for (const id of prompt) {
    if (!Number.isInteger(id) || id < 0 || id >= vocab) throw new ModelError("MODEL_TOKEN_OUT_OF_RANGE", `prompt token ${id} is outside the vocabulary [0, ${vocab})`);
  }
  const stops = (req.stop ?? []).filter((s) => s !== "");
  if (stops.length > 0 && !hasTokenizer) throw bad("stop strings need a tokenizer");
  return {
    prompt,
    maxTokens,
    temperature,
    topP,
    topK,
    eos: new Set<number>(Array.from(req.eosTokenIds ?? [])),
    stops,
    maxStop: Math.max(0, ...stops.map((s) => s.length)),
  };
}

/**
 * Batched, continuous generation on the model's Backend (docs/contracts.md §9): up to `maxBatch` sequences decode
 * together, each in its own KV-cache slot; a finished sequence's slot is refilled from the queue at the next step;
 * new prompts are prefilled together through the GEMM path (a prompt shared by several samples once). Each step
 * downloads only the sampled ids and their log-probs. Use `generate` (synchronous, a whole batch of requests) or
 * `submit` (a promise per request, requests from many callers batched together, tokens streamed through
 * `onToken`). Between steps the engine yields to the event loop: `updateWeights` there swaps parameters in place.
 *
 * @example
 * ```ts
 * import { createGenerationEngine } from "@sentrl/model";
 * const engine = createGenerationEngine(model, { maxBatch: 32 });
 * const [a, b] = engine.generate([
 *   { prompt: [1, 2, 3], maxTokens: 8, temperature: 0.7, seed: 1, sampleIndex: 0 },
 *   { prompt: [1, 2, 3], maxTokens: 8, temperature: 0.7, seed: 1, sampleIndex: 1 },
 * ]);
 * const c = await engine.submit({ prompt: [4, 5], maxTokens: 4, onToken: (t) => process.stdout.write(t.text) });
 * engine.dispose();
 * ```
 */
export class GenerationEngine {
  readonly maxBatch: number;
  private readonly tokenizer: Tokenizer | undefined;
  private readonly queue: Row[] = [];
  private active: Row[] = [];
  private readonly forward: CachedForward;
  private readonly cache: KvSlots;
  private pumping = false;
  private disposed = false;
  private readonly ids: Int32Array;
  private readonly slots: Int32Array;
  private readonly positions: Int32Array;

  constructor(
    readonly model: DecoderModel,
    options: GenerationEngineOptions = {},
  ) {
    const { maxBatch = 8, capacity = 256 } = options;
    if (!Number.isInteger(maxBatch) || maxBatch < 1) throw new ModelError("MODEL_BAD_ARGUMENT", `maxBatch must be a positive integer, got ${maxBatch}`);
    if (!Number.isInteger(capacity) || capacity < 1) throw new ModelError("MODEL_BAD_ARGUMENT", `capacity must be a positive integer, got ${capacity}`);
    this.maxBatch = maxBatch;
    this.tokenizer = options.tokenizer;
    this.forward = new CachedForward(model, maxBatch);
    this.cache = new KvSlots(model.backend, model.config, maxBatch, capacity);
    this.ids = new Int32Array(maxBatch);
    this.slots = new Int32Array(maxBatch);
    this.positions = new Int32Array(maxBatch);
  }

  /** Sequences waiting for a slot plus those decoding. */
  get pending(): number {
    return this.queue.length + this.active.length;
  }

  /**
   * Generates every request (continuous batching over `maxBatch` slots) and returns the sequences in request order.
   * Throws a request's error (a bad argument, or the abort reason of its `signal`); the others are dropped then.
   */
  generate(requests: GenerationRequest[]): SampledSequence[] {
    this.checkAlive();
    const results: SampledSequence[] = new Array(requests.length);
    let failure: { error: unknown } | undefined;
    const rows = requests.map((req, i) =>
      this.makeRow(req, (error) => {
        if (error !== undefined) failure ??= { error };
        else results[i] = rows[i].out;
      }),
    );
    const mine = new Set(rows);
    this.queue.push(...rows);
    try {
      while (!failure && (this.queue.some((r) => mine.has(r)) || this.active.some((r) => mine.has(r)))) this.step();
    } catch (e) {
      failure ??= { error: e };
    }
    if (failure) {
      this.drop((r) => mine.has(r));
      throw failure.error;
    }
    return results;
  }

  /** Queues one request; the promise settles when it finishes (or fails, or is aborted). */
  submit(request: GenerationRequest): Promise<SampledSequence> {
    this.checkAlive();
    return new Promise<SampledSequence>((resolve, reject) => {
      const row = this.makeRow(request, (error) => (error === undefined ? resolve(row.out) : reject(error)));
      this.queue.push(row);
      this.pump();
    });
  }

  /** Overwrites parameters by Hugging Face name (same shapes) between steps: queued and running sequences continue. */
  updateWeights(tensors: Map<string, Float32Array> | Record<string, Float32Array>): void {
    this.checkAlive();
    const entries = tensors instanceof Map ? [...tensors.entries()] : Object.entries(tensors);
    for (const [name, data] of entries) this.model.setParameter(name, data);
  }

  /** Frees the engine's buffers (not the model); pending requests are rejected. */
  dispose(): void {
    if (this.disposed) return;
    this.drop(() => true, new ModelError("MODEL_BAD_ARGUMENT", "the generation engine was disposed"));
    this.forward.dispose();
    this.cache.dispose();
    this.disposed = true;
  }

  private checkAlive(): void {
    if (this.disposed) throw new ModelError("MODEL_BAD_ARGUMENT", "the generation engine was disposed");
  }

  private makeRow(request: GenerationRequest, settle: (error: unknown) => void): Row {
    const settings = checkRequest(request, this.model.config.vocabSize, this.tokenizer !== undefined);
    return {
      settings,
      request,
      rng: sampleRng(request.seed ?? 0, settings.prompt, request.sampleIndex ?? 0),
      out: { tokenIds: [], tokenLogprobs: [], finishReason: "length" },
      slot: -1,
      length: 0,
      text: "",
      emitted: 0,
      decoder: this.tokenizer ? new TextDecoder("utf-8") : undefined,
      settle,
    };
  }

  /** Runs steps on the event loop while there is work (one step per macrotask, so other callbacks interleave). */
  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    const run = () => {
      if (this.disposed || this.pending === 0) {
        this.pumping = false;
        return;
      }
      try {
        this.step();
      } catch (e) {
        this.drop(() => true, e);
      }
      setImmediate(run);
    };
    setImmediate(run);
  }

  /** Removes rows matching `which` from the queue and the batch, settling them with `error` when given. */
  private drop(which: (r: Row) => boolean, error?: unknown): void {
    const out = [...this.queue.filter(which), ...this.active.filter(which)];
    this.queue.splice(0, this.queue.length, ...this.queue.filter((r) => !which(r)));
    this.active = this.active.filter((r) => !which(r));
    for (const r of out) {
      if (r.slot >= 0) this.cache.release(r.slot);
      r.slot = -1;
      if (error !== undefined) r.settle(error);
    }
  }

  /** One engine step: drop aborted rows, admit and prefill waiting ones, then one decode step for the batch. */
  private step(): void {
    const aborted = (r: Row) => r.request.signal?.aborted === true;
    for (const r of [...this.queue, ...this.active]) if (aborted(r)) this.drop((x) => x === r, r.request.signal?.reason);
    this.admit();
    this.decode();
  }

  private admit(): void {
    const take: Row[] = [];
    while (this.queue.length > 0 && take.length < this.cache.available) {
      const r = this.queue.shift() as Row;
      if (r.settings.maxTokens === 0) {
        this.finish(r, "length", true);
        continue;
      }
      take.push(r);
    }
    if (take.length === 0) return;
    const used = new Map(this.active.map((r) => [r.slot, r.length]));
    this.cache.ensureCapacity(Math.max(...take.map((r) => r.settings.prompt.length + r.settings.maxTokens)), used);
    // One prefill row per distinct prompt; its keys/values go to the slot of every sample of it.
    const byPrompt = new Map<string, number>();
    const prompts: number[][] = [];
    const slots: number[][] = [];
    const which = new Int32Array(take.length);
    take.forEach((r, j) => {
      r.slot = this.cache.acquire();
      r.length = r.settings.prompt.length;
      const key = r.settings.prompt.join(",");
      let u = byPrompt.get(key);
      if (u === undefined) {
        u = prompts.length;
        byPrompt.set(key, u);
        prompts.push(r.settings.prompt);
        slots.push([]);
      }
      slots[u].push(r.slot);
      which[j] = u;
    });
    this.active.push(...take);
    const be = this.model.backend;
    const V = this.model.config.vocabSize;
    const logitsU = this.forward.prefill(prompts, slots, this.cache);
    let logits = logitsU;
    if (prompts.length !== take.length) {
      logits = be.alloc(take.length * V);
      be.embeddingForward({ out: logits, table: logitsU, ids: which, rows: take.length, dim: V, vocab: prompts.length });
    }
    try {
      this.sampleInto(take, logits);
    } finally {
      if (logits !== logitsU) be.free(logits);
    }
  }

  private decode(): void {
    const rows = this.active;
    const R = rows.length;
    if (R === 0) return;
    for (let r = 0; r < R; r++) {
      const row = rows[r];
      this.ids[r] = row.out.tokenIds[row.out.tokenIds.length - 1];
      this.slots[r] = row.slot;
      this.positions[r] = row.length;
      row.length++;
    }
    const logits = this.forward.decode(this.ids, this.slots, this.positions, R, this.cache);
    this.sampleInto(rows.slice(), logits);
  }

  /** Samples one token for each of `rows` from `logits` (row r's logits at row r) and accepts it. */
  private sampleInto(rows: Row[], logits: DeviceBuffer): void {
    const R = rows.length;
    const uniforms = new Float64Array(R);
    const temperature = new Float64Array(R);
    const topK = new Int32Array(R);
    const topP = new Float64Array(R);
    rows.forEach((r, i) => {
      uniforms[i] = r.rng.uniform();
      temperature[i] = r.settings.temperature;
      topK[i] = r.settings.topK;
      topP[i] = r.settings.topP;
    });
    const { ids, logprobs } = this.model.backend.sampleTokens({ logits, rows: R, vocab: this.model.config.vocabSize, uniforms, temperature, topK, topP });
    const done = new Set<Row>();
    rows.forEach((r, i) => {
      if (this.accept(r, ids[i], logprobs[i])) done.add(r);
    });
    if (done.size > 0) this.active = this.active.filter((r) => !done.has(r));
  }

  /** Appends a token; returns true (and settles the row) when it finished. */
  private accept(s: Row, y: number, lp: number): boolean {
    const tok = this.tokenizer;
    const { eos, stops, maxStop, maxTokens } = s.settings;
    s.out.tokenIds.push(y);
    s.out.tokenLogprobs.push(lp);
    if (eos.has(y)) return this.finish(s, "stop", true, y, lp);
    if (s.decoder && tok?.has(y) && !tok.isSpecial(y)) {
      const before = s.text.length;
      s.text += s.decoder.decode(tok.tokenBytes(y), { stream: true });
      if (stops.length > 0) {
        const from = Math.max(0, before - maxStop + 1);
        let cut = -1;
        for (const st of stops) {
          const i = s.text.indexOf(st, from);
          if (i >= 0 && (cut < 0 || i < cut)) cut = i;
        }
        if (cut >= 0) {
          s.text = s.text.slice(0, cut);
          return this.finish(s, "stop", false, y, lp);
        }
      }
    }
    if (s.out.tokenIds.length >= maxTokens) return this.finish(s, "length", true, y, lp);
    if (s.request.onToken) {
      const safe = Math.max(s.emitted, s.text.length - Math.max(0, maxStop - 1));
      s.request.onToken({ id: y, logprob: lp, text: s.text.slice(s.emitted, safe) });
      s.emitted = safe;
    }
    return false;
  }

  private finish(s: Row, reason: "stop" | "length", flush: boolean, y?: number, lp?: number): true {
    s.out.finishReason = reason;
    if (s.decoder) {
      if (flush) s.text += s.decoder.decode();
      s.out.text = s.text;
    }
    if (y !== undefined && lp !== undefined && s.request.onToken) {
      s.request.onToken({ id: y, logprob: lp, text: s.text.slice(Math.min(s.emitted, s.text.length)) });
      s.emitted = s.text.length;
    }
    if (s.slot >= 0) this.cache.release(s.slot);
    s.slot = -1;
    s.settle(undefined);
    return true;
  }
}

/** A `GenerationEngine` over `model` (see there). */
export function createGenerationEngine(model: DecoderModel, options: GenerationEngineOptions = {}): GenerationEngine {
  return new GenerationEngine(model, options);
}
