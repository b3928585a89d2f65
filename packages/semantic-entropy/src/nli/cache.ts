import type { NliLabel } from "./labels.js";

/** Classifies (premise, hypothesis) pairs; one label per pair, in order. */
export type NliClassify = (pairs: readonly (readonly [string, string])[]) => Promise<NliLabel[]>;

/** A pair-verdict cache in front of a classifier, with counters. */
export interface CachedNli {
  /** Verdicts for `pairs`; only pairs never seen before (deduplicated) reach the classifier, in one call. */
  verdicts(pairs: readonly (readonly [string, string])[]): Promise<NliLabel[]>;
  readonly stats: { hits: number; misses: number; size: number };
}

/**
 * Wraps `classify` with a cache of pair verdicts keyed by (premise, hypothesis), least recently used evicted past
 * `maxEntries` (default 100 000).
 *
 * @example
 * const nli = cachedNli(async (pairs) => pairs.map(([a, b]) => (a === b ? "entailment" : "neutral")));
 * await nli.verdicts([["x", "x"], ["x", "y"], ["x", "x"]]); // ["entailment", "neutral", "entailment"]
 * nli.stats; // { hits: 1, misses: 2, size: 2 }
 */
export function cachedNli(classify: NliClassify, maxEntries = 100_000): CachedNli {
  const cache = new Map<string, NliLabel>();
  const stats = { hits: 0, misses: 0, size: 0 };
  const key = (p: readonly [string, string]) => `${p[0].length}:${p[0]}\u0000${p[1]}`;
  return {
    stats,
    async verdicts(pairs) {
      const todo: (readonly [string, string])[] = [];
      const todoKeys = new Set<string>();
      for (const p of pairs) {
        const k = key(p);
        if (cache.has(k) || todoKeys.has(k)) {
          stats.hits++;
          continue;
        }
        stats.misses++;
        todoKeys.add(k);
        todo.push(p);
      }
      if (todo.length > 0) {
        const got = await classify(todo);
        todo.forEach((p, i) => {
          cache.set(key(p), got[i]);
        });
      }
      const out = pairs.map((p) => {
        const k = key(p);
        const v = cache.get(k) as NliLabel;
        cache.delete(k); // most recently used last
        cache.set(k, v);
        return v;
      });
      while (cache.size > maxEntries) cache.delete(cache.keys().next().value as string);
      stats.size = cache.size;
      return out;
    },
  };
}
