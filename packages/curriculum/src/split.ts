/**
 * Ordering questions by semantic entropy and splitting them into stages (docs/algorithms.md §4.3): a stable ascending sort
 * (ties by original index), then `equalSize` chunks, explicit SE `threshold` cuts, or `quantile` cuts.
 */
import { SentrlError } from "@sentrl/core";

/** How the SE-sorted questions become stages. */
export type SplitSpec =
  /** Contiguous chunks of ⌈n/N⌉ in SE order (last one shorter). The default, N = 2. */
  | { kind: "equalSize"; stages: number }
  /** Stage s holds cuts[s−1] ≤ SE < cuts[s]; `cuts` ascending, N−1 of them. */
  | { kind: "threshold"; cuts: readonly number[] }
  /** Thresholds at the SE quantiles s/N of the data: like `equalSize`, but equal SE values never straddle two stages. */
  | { kind: "quantile"; stages: number };

export type SplitKind = SplitSpec["kind"];
export const SPLIT_KINDS: readonly SplitKind[] = ["equalSize", "threshold", "quantile"];

/**
 * Indices sorted by SE ascending, ties by original index (a stable sort). NaN scores are rejected.
 *
 * @example
 * seOrder([0.5, 0, 0.5, 0.1]); // Int32Array [1, 3, 0, 2]
 */
export function seOrder(se: ArrayLike<number>): Int32Array {
  for (let i = 0; i < se.length; i++) {
    if (Number.isNaN(se[i]))
      throw new SentrlError("CURRICULUM_NAN_SE", `semantic entropy of row ${i} is NaN; every row needs a score`);
  }
  const order = new Int32Array(se.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  // TypedArray sort with a comparator is stable and avoids boxing the indices.
  order.sort((a, b) => se[a] - se[b] || a - b);
  return order;
}

function checkStages(n: number): void {
  if (!Number.isInteger(n) || n < 1)
    throw new SentrlError("CURRICULUM_BAD_STAGES", `stages must be an integer ≥ 1, got ${n}`);
}

/** The number of stages a split produces. */
export function numStages(split: SplitSpec): number {
  return split.kind === "threshold" ? split.cuts.length + 1 : split.stages;
}

/** SE cut points at the quantiles s/N of the sorted scores (N−1 of them). */
export function quantileCuts(se: ArrayLike<number>, order: ArrayLike<number>, stages: number): number[] {
  checkStages(stages);
  const n = order.length;
  const cuts: number[] = [];
  for (let s = 1; s < stages; s++) {
    const pos = Math.min(n - 1, Math.ceil((s * n) / stages));
    cuts.push(n === 0 ? Number.POSITIVE_INFINITY : se[order[pos]]);
  }
  return cuts;
}

/** Stage assignment: `stageOf[i]` (0-based) for every row, `stages[s]` the row indices of stage s in SE order. */
export interface StageAssignment {
  order: Int32Array;
  stageOf: Int32Array;
  stages: number[][];
  /** The SE thresholds used (threshold / quantile splits), else the SE at each stage boundary. */
  cuts: number[];
}

/**
 * Assigns every row to a stage.
 *
 * @example
 * const a = assignStages([0.9, 0, 0.3, 0.1], { kind: "equalSize", stages: 2 });
 * a.stages; // [[1, 3], [2, 0]]
 */
export function assignStages(se: ArrayLike<number>, split: SplitSpec): StageAssignment {
  if (!SPLIT_KINDS.includes(split.kind))
    throw new SentrlError(
      "CURRICULUM_UNKNOWN_SPLIT",
      `unknown split \`${(split as { kind: string }).kind}\`; use one of ${SPLIT_KINDS.join(", ")}`,
    );
  const order = seOrder(se);
  const n = order.length;
  const stageOf = new Int32Array(n);
  let cuts: number[];
  const N = numStages(split);
  checkStages(N);
  if (split.kind === "equalSize") {
    const size = Math.ceil(n / N);
    for (let p = 0; p < n; p++) stageOf[order[p]] = size === 0 ? 0 : Math.floor(p / size);
    cuts = [];
    for (let s = 1; s < N; s++) cuts.push(s * size < n ? se[order[s * size]] : Number.POSITIVE_INFINITY);
  } else {
    if (split.kind === "threshold") {
      cuts = split.cuts.slice();
      for (let c = 0; c < cuts.length; c++) {
        if (typeof cuts[c] !== "number" || Number.isNaN(cuts[c]))
          throw new SentrlError("CURRICULUM_BAD_CUTS", "threshold cuts must be numbers");
        if (c > 0 && cuts[c] < cuts[c - 1])
          throw new SentrlError("CURRICULUM_BAD_CUTS", `threshold cuts must be ascending, got ${cuts.join(", ")}`);
      }
    } else cuts = quantileCuts(se, order, split.stages);
    for (let p = 0; p < n; p++) {
      const i = order[p];
      let s = 0;
      while (s < cuts.length && se[i] >= cuts[s]) s++;
      stageOf[i] = s;
    }
  }
  const stages: number[][] = Array.from({ length: N }, () => []);
  for (let p = 0; p < n; p++) stages[stageOf[order[p]]].push(order[p]);
  return { order, stageOf, stages, cuts };
}
