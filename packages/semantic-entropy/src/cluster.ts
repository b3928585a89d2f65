/**
 * Answer clustering: responses with equivalent final answers share a cluster (docs/algorithms.md §4.2, §8.1 with answer
 * equality). Cluster ids are numbered in first-seen order.
 */
import { SentrlError } from "@sentrl/core";
import { extractClusterAnswer } from "./extract.js";

/** What clustering needs from an answer checker (core's `AnswerChecker` satisfies it). */
export interface ClusterEquivalence {
  /** A key such that two answers are equivalent iff their keys are equal (string checkers): O(n) clustering. */
  canonicalKey?(extracted: string): string;
  /** Equivalence of two extracted answers; used when there is no `canonicalKey` (compares with each cluster's first member). */
  equivalent(a: string, b: string): boolean;
  /**
   * Keys such that two equivalent answers share at least one (null: none), e.g. the `symbolic` checker's: an answer
   * is then compared only with the clusters sharing a key with it or having none (the same clusters result).
   */
  clusterKeys?(extracted: string): string[] | null;
}

/** Where responses without an extractable answer go: each its own cluster, or all in one shared cluster. */
export type InvalidPolicy = "singleton" | "shared";

export const INVALID_POLICIES: readonly InvalidPolicy[] = ["singleton", "shared"];

export interface ClusterOptions {
  invalid?: InvalidPolicy;
  /** Raw answer extraction; default `extractClusterAnswer` (`Answer:` line, else last `\boxed{}`). */
  extract?: (response: string) => string | null;
}

export interface AnswerClusters {
  /** Cluster id per response, 0..numClusters−1 in first-seen order. */
  clusterIds: Int32Array;
  numClusters: number;
  /** The extracted raw answer per response (null = invalid). */
  answers: (string | null)[];
}

/**
 * Clusters already-extracted answers (null = no answer) with a checker's key or equivalence.
 *
 * @example
 * clusterExtracted(["4", "4", null, "5"], { equivalent: (a, b) => a === b }).clusterIds; // [0, 0, 1, 2]
 */
export function clusterExtracted(
  answers: (string | null)[],
  eq: ClusterEquivalence,
  invalid: InvalidPolicy = "singleton",
): Int32Array {
  if (!INVALID_POLICIES.includes(invalid))
    throw new SentrlError(
      "SE_UNKNOWN_INVALID_POLICY",
      `unknown invalid policy \`${invalid}\`; use one of ${INVALID_POLICIES.join(", ")}`,
    );
  const m = answers.length;
  const ids = new Int32Array(m);
  let next = 0;
  let sharedInvalid = -1;
  /** A response with no answer: its own new cluster (`singleton`), or the one shared invalid cluster. */
  const invalidId = (): number => {
    if (invalid !== "shared") return next++;
    if (sharedInvalid < 0) sharedInvalid = next++;
    return sharedInvalid;
  };
  const newId = () => next++;
  const canonicalKey = eq.canonicalKey?.bind(eq);
  const idOfNew = canonicalKey ? keyedIds(canonicalKey, newId) : equivalenceIds(eq, newId);
  // Equal raw answers get equal ids: each distinct raw string is keyed or compared once.
  const raw2id = new Map<string, number>();
  for (let i = 0; i < m; i++) {
    const a = answers[i];
    if (a === null) {
      ids[i] = invalidId();
      continue;
    }
    let id = raw2id.get(a);
    if (id === undefined) {
      id = idOfNew(a);
      raw2id.set(a, id);
    }
    ids[i] = id;
  }
  return ids;
}

/** Ids by key (string checkers): one cluster per distinct `canonicalKey`. */
function keyedIds(canonicalKey: (a: string) => string, newId: () => number): (a: string) => number {
  const key2id = new Map<string, number>();
  return (a) => {
    const key = canonicalKey(a);
    let id = key2id.get(key);
    if (id === undefined) {
      id = newId();
      key2id.set(key, id);
    }
    return id;
  };
}

/**
 * Ids by equivalence only: compare with each cluster's first member, in cluster order (order-independent when
 * `equivalent` is transitive). With `clusterKeys`, only clusters sharing a key or having none are compared.
 */
function equivalenceIds(eq: ClusterEquivalence, newId: () => number): (a: string) => number {
  const reps: string[] = [];
  const repIds: number[] = [];
  const byKey = new Map<string, number[]>();
  const unkeyed: number[] = [];
  return (a) => {
    const keys = eq.clusterKeys ? eq.clusterKeys(a) : null;
    let candidates: Iterable<number> = reps.keys();
    if (keys !== null) {
      const set = new Set<number>(unkeyed);
      for (const k of keys) for (const r of byKey.get(k) ?? []) set.add(r);
      candidates = [...set].sort((x, y) => x - y);
    }
    for (const r of candidates) {
      if (reps[r] === a || eq.equivalent(reps[r] as string, a)) return repIds[r] as number;
    }
    const found = newId();
    const r = reps.push(a) - 1;
    repIds.push(found);
    if (keys === null) unkeyed.push(r);
    else
      for (const k of keys) {
        const list = byKey.get(k);
        if (list) list.push(r);
        else byKey.set(k, [r]);
      }
    return found;
  };
}

/**
 * Extracts each response's final answer and clusters them.
 *
 * @example
 * const c = clusterResponses(["Answer: 4", "\\boxed{4}", "no idea"], { equivalent: (a, b) => a === b });
 * c.clusterIds; // Int32Array [0, 0, 1]
 */
export function clusterResponses(
  responses: readonly string[],
  eq: ClusterEquivalence,
  options: ClusterOptions = {},
): AnswerClusters {
  const extract = options.extract ?? extractClusterAnswer;
  const answers = responses.map((r) => {
    if (typeof r !== "string") throw new SentrlError("SE_BAD_RESPONSE", "every response must be a string");
    return extract(r);
  });
  const clusterIds = clusterExtracted(answers, eq, options.invalid ?? "singleton");
  let k = 0;
  for (let i = 0; i < clusterIds.length; i++) if (clusterIds[i] + 1 > k) k = clusterIds[i] + 1;
  return { clusterIds, numClusters: k, answers };
}
