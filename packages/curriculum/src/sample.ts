/**
 * Sampling M responses per question with any `Generator`, cached so an interrupted build resumes without resampling,
 * then scoring semantic entropy (docs/algorithms.md §4).
 */
import { join } from "node:path";
import type { Completion, GenerationPrompt, Generator } from "@sentrl/core";
import { SentrlError } from "@sentrl/core";
import { createSemanticEntropyScorer, type SEOptions } from "@sentrl/semantic-entropy";
import { ResponseCache, type SampledRecord } from "./cache.js";

export interface SampleOptions {
  /** Responses per question (M, default 8). */
  samples?: number;
  /** Prompts per generator call (default 16). */
  batchSize?: number;
  temperature?: number;
  topP?: number;
  topK?: number;
  maxTokens?: number;
  seed?: number;
  /** Needs per-response log-likelihoods: fail after the first batch when the generator gives none. */
  requireLogLik?: boolean;
  /** Called after every batch with (done, total) questions. */
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

/** Sum of token log-probs and token count of a completion, when the generator reports them. */
export function completionLikelihood(c: Completion): { logLik?: number; length?: number } {
  let logLik = c.logLik;
  if (logLik === undefined && c.tokenLogprobs) {
    logLik = 0;
    for (const v of c.tokenLogprobs) logLik += v;
  }
  const length = c.numTokens ?? c.tokenIds?.length ?? c.tokenLogprobs?.length;
  return { logLik, length };
}

/** One question's completions as a cache / replay record (likelihood fields only when every completion has them). */
export function toRecord(id: string, completions: Completion[]): SampledRecord {
  const rec: SampledRecord = { id, responses: completions.map((c) => c.text) };
  const lk = completions.map(completionLikelihood);
  if (lk.length > 0 && lk.every((x) => x.logLik !== undefined)) rec.logLik = lk.map((x) => x.logLik as number);
  if (lk.length > 0 && lk.every((x) => x.length !== undefined)) rec.lengths = lk.map((x) => x.length as number);
  return rec;
}

/**
 * Samples every prompt not yet in the cache directory, appending each batch as it completes, and maps every record
 * (cached or fresh) with `map` as it goes by, so only the mapped values stay in memory. Returns them by prompt id.
 *
 * @example
 * const lengths = await sampleWithCache(generator, prompts, "out/cache", { samples: 8 }, { generator: generator.spec },
 *   (rec) => rec.responses.length);
 */
export async function sampleWithCache<T = SampledRecord>(
  generator: Generator,
  prompts: GenerationPrompt[],
  cacheDir: string,
  options: SampleOptions = {},
  meta: Record<string, unknown> = {},
  map: (rec: SampledRecord) => T = (rec) => rec as T,
): Promise<Map<string, T>> {
  const n = options.samples ?? 8;
  if (!Number.isInteger(n) || n < 1)
    throw new SentrlError("CURRICULUM_BAD_SAMPLES", `samples must be an integer ≥ 1, got ${n}`);
  const batchSize = options.batchSize ?? 16;
  const wanted = new Set(prompts.map((p) => p.id));
  const results = new Map<string, T>();
  const cache = ResponseCache.open(cacheDir, { ...meta, samples: n }, (rec) => {
    if (wanted.has(rec.id)) results.set(rec.id, map(rec));
  });
  try {
    // Unique ids, first occurrence wins (duplicate rows share one set of samples).
    const seen = new Set<string>();
    const todo: GenerationPrompt[] = [];
    for (const p of prompts) {
      if (seen.has(p.id)) continue;
      seen.add(p.id);
      if (!cache.has(p.id)) todo.push(p);
    }
    const total = seen.size;
    let done = total - todo.length;
    options.onProgress?.(done, total);
    for (let b = 0; b < todo.length; b += batchSize) {
      if (options.signal?.aborted)
        throw new SentrlError("ABORTED", "curriculum sampling was aborted; rerun to resume from the cache");
      const batch = todo.slice(b, b + batchSize);
      const out = await generator.generate(batch, {
        n,
        temperature: options.temperature ?? 1,
        topP: options.topP ?? 1,
        topK: options.topK,
        maxTokens: options.maxTokens ?? 2048,
        seed: options.seed === undefined ? undefined : options.seed + b,
        signal: options.signal,
      });
      if (out.length !== batch.length)
        throw new SentrlError(
          "GENERATOR_BAD_OUTPUT",
          `generator ${generator.spec} returned ${out.length} groups for ${batch.length} prompts`,
        );
      const recs = batch.map((p, i) => {
        if (out[i].length !== n)
          throw new SentrlError(
            "GENERATOR_BAD_OUTPUT",
            `generator ${generator.spec} returned ${out[i].length} completions for \`${p.id}\`, expected ${n}`,
          );
        return toRecord(p.id, out[i]);
      });
      if (options.requireLogLik && recs.some((r) => !r.logLik || !r.lengths))
        throw new SentrlError(
          "SE_LOGLIK_REQUIRED",
          `generator ${generator.spec} gives no token log-probs/lengths, which this estimator needs; use --estimator discrete (the samples so far are cached)`,
        );
      cache.append(recs);
      for (const r of recs) results.set(r.id, map(r));
      done += batch.length;
      options.onProgress?.(done, total);
    }
    return results;
  } finally {
    cache.close();
  }
}

/** A function scoring one record's SE; errors name the question. */
export function recordScorer(options: SEOptions = {}): (rec: SampledRecord) => number {
  const score = createSemanticEntropyScorer(options);
  return (rec) => {
    try {
      return score(rec).semanticEntropy;
    } catch (e) {
      const err = e as Error & { code?: string };
      if (err.code) throw new SentrlError(err.code, `question \`${rec.id}\`: ${err.message}`);
      throw e;
    }
  };
}

/** SE of every record with one scorer; a record whose likelihoods are missing gets a coded error. */
export function scoreRecords(records: SampledRecord[], options: SEOptions = {}): Float64Array {
  const score = recordScorer(options);
  return Float64Array.from(records, score);
}

/** `<out>/cache`, where a build keeps its sampled responses. */
export function cacheDirOf(outDir: string): string {
  return join(outDir, "cache");
}
