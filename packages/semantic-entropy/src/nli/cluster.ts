import type { CachedNli } from "./cache.js";
import { type EntailmentVariant, entailmentEquivalent } from "./equivalence.js";

/** Renumbers cluster ids in first-seen order. */
export function firstSeenOrder(ids: ArrayLike<number>): Int32Array {
  const map = new Map<number, number>();
  const out = new Int32Array(ids.length);
  for (let i = 0; i < ids.length; i++) {
    let c = map.get(ids[i]);
    if (c === undefined) {
      c = map.size;
      map.set(ids[i], c);
    }
    out[i] = c;
  }
  return out;
}

/**
 * Bidirectional-entailment clustering, the greedy order-dependent algorithm of docs/algorithms.md §8.1: each
 * still-unassigned text i opens a cluster and every later text j equivalent to it joins (a later match overwrites an
 * earlier assignment, as in the reference code). The NLI verdicts row i needs, (i ⇒ j) and (j ⇒ i) for j > i, are
 * asked for in one batch. Ids are returned in first-seen order.
 *
 * @example
 * const nli = cachedNli(async (pairs) => pairs.map(([a, b]) => (a[0] === b[0] ? "entailment" : "contradiction")));
 * await clusterByEntailment(["paris", "pisa", "rome"], nli); // Int32Array [0, 0, 1] (same first letter)
 */
export async function clusterByEntailment(
  texts: readonly string[],
  nli: CachedNli,
  variant: EntailmentVariant = "strict",
): Promise<Int32Array> {
  const m = texts.length;
  const ids = new Int32Array(m).fill(-1);
  let next = 0;
  for (let i = 0; i < m; i++) {
    if (ids[i] !== -1) continue;
    ids[i] = next;
    const pairs: [string, string][] = [];
    for (let j = i + 1; j < m; j++) pairs.push([texts[i], texts[j]], [texts[j], texts[i]]);
    const v = await nli.verdicts(pairs);
    for (let j = i + 1; j < m; j++) {
      const k = 2 * (j - i - 1);
      if (entailmentEquivalent(v[k], v[k + 1], variant)) ids[j] = next;
    }
    next++;
  }
  return firstSeenOrder(ids);
}
