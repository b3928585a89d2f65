import type { LossAggMode } from "../contracts/policy-loss.js";
import { SentrlError } from "../errors.js";

/** The loss aggregation modes of docs/contracts.md §2 / docs/algorithms.md §6.4. */
export const LOSS_AGG_MODES: readonly LossAggMode[] = [
  "token-mean",
  "seq-mean-token-sum",
  "seq-mean-token-mean",
  "seq-mean-token-sum-norm",
];

/** Epsilon of verl's `masked_mean` and of the `token-mean` denominator. */
export const MASKED_MEAN_EPS = 1e-8;

/**
 * Per-token weights `w` of a loss aggregation, such that `agg(ℓ, mask, mode) = Σ w·ℓ` (so the gradient of the
 * aggregated loss w.r.t. ℓ[b,t] is `w[b,t]`). SENT repository semantics (docs/algorithms.md §6.4), per loss call:
 *
 * - `token-mean`: `m / (Σm + 1e-8)`;
 * - `seq-mean-token-sum`: `m / rows` (an empty row still counts in the row mean);
 * - `seq-mean-token-mean`: `m / (n_b · R)` with `n_b` the row's valid tokens and `R` the number of **non-empty**
 *   rows. The reference returns NaN for an empty row; here the row is left out of the row mean (the documented
 *   deviation of docs/contracts.md §2);
 * - `seq-mean-token-sum-norm` (Dr.GRPO): `m / norm`, `norm` defaulting to `cols` (the padded length).
 *
 * `w` is exactly 0 where `mask == 0`. An all-zero mask gives all-zero weights.
 *
 * @example
 * ```ts
 * import { aggregationWeights } from "@sentrl/core";
 * aggregationWeights(new Uint8Array([1, 1, 0, 1]), 2, 2, "seq-mean-token-mean"); // [0.25, 0.25, 0, 0.5]
 * ```
 */
export function aggregationWeights(
  mask: Uint8Array,
  rows: number,
  cols: number,
  mode: LossAggMode,
  norm?: number,
  out?: Float64Array,
): Float64Array {
  const rw = rowAggregationWeights(mask, rows, cols, mode, norm);
  const w = out ?? new Float64Array(rows * cols);
  for (let b = 0; b < rows; b++) {
    const v = rw[b];
    for (let t = b * cols, e = t + cols; t < e; t++) w[t] = mask[t] !== 0 ? v : 0;
  }
  return w;
}

/**
 * The per-row factor of {@link aggregationWeights}: every mode weighs a valid token by a number that depends only
 * on its row, so `w[b,t] = mask[b,t] · rowWeight[b]` (0 for an empty row). Lets hot loops skip a per-token array.
 *
 * @example
 * ```ts
 * import { rowAggregationWeights } from "@sentrl/core";
 * rowAggregationWeights(new Uint8Array([1, 1, 0, 1]), 2, 2, "seq-mean-token-mean"); // [0.25, 0.5]
 * ```
 */
export function rowAggregationWeights(
  mask: Uint8Array,
  rows: number,
  cols: number,
  mode: LossAggMode,
  norm?: number,
): Float64Array {
  const n = rows * cols;
  if (mask.length !== n) {
    throw new SentrlError("LOSS_SHAPE_MISMATCH", `mask has ${mask.length} entries, expected rows*cols = ${n}`);
  }
  const counts = new Float64Array(rows);
  let total = 0;
  for (let b = 0; b < rows; b++) {
    let c = 0;
    for (let t = b * cols, e = t + cols; t < e; t++) c += mask[t] !== 0 ? 1 : 0;
    counts[b] = c;
    total += c;
  }
  return rowWeightsFromCounts(counts, total, rows, cols, mode, norm);
}

/**
 * Internal: {@link rowAggregationWeights} from per-row valid-token counts (and their sum), so hot paths can count the
 * mask once. Returns a new array of length `rows`.
 */
export function rowWeightsFromCounts(
  counts: Float64Array,
  total: number,
  rows: number,
  cols: number,
  mode: LossAggMode,
  norm?: number,
): Float64Array {
  const rw = new Float64Array(rows);
  let nonEmpty = 0;
  for (let b = 0; b < rows; b++) if (counts[b] > 0) nonEmpty++;
  let v: number;
  switch (mode) {
    case "token-mean":
      v = 1 / (total + MASKED_MEAN_EPS);
      break;
    case "seq-mean-token-sum":
      v = rows > 0 ? 1 / rows : 0;
      break;
    case "seq-mean-token-mean":
      for (let b = 0; b < rows; b++) rw[b] = counts[b] > 0 ? 1 / counts[b] / nonEmpty : 0;
      return rw;
    case "seq-mean-token-sum-norm": {
      const d = norm ?? cols;
      if (!(Number.isFinite(d) && d > 0)) {
        throw new SentrlError("LOSS_BAD_OPTION", `lossAggNorm must be a positive finite number, got ${d}`);
      }
      v = 1 / d;
      break;
    }
    default:
      throw new SentrlError(
        "LOSS_BAD_OPTION",
        `unknown lossAggMode ${JSON.stringify(mode)}; valid: ${LOSS_AGG_MODES.join(", ")}`,
      );
  }
  for (let b = 0; b < rows; b++) rw[b] = counts[b] > 0 ? v : 0;
  return rw;
}

/**
 * `agg_loss(values, mask, mode)` of docs/algorithms.md §6.4 (see {@link aggregationWeights} for the exact semantics).
 *
 * @example
 * ```ts
 * import { aggregate } from "@sentrl/core";
 * aggregate(new Float64Array([1, 3, 9, 5]), new Uint8Array([1, 1, 0, 1]), 2, 2, "seq-mean-token-mean"); // 3.5
 * ```
 */
export function aggregate(
  values: ArrayLike<number>,
  mask: Uint8Array,
  rows: number,
  cols: number,
  mode: LossAggMode,
  norm?: number,
): number {
  const w = aggregationWeights(mask, rows, cols, mode, norm);
  return weightedSum(w, values);
}

/** Σ w·v over the positions where w != 0 (values there are never read, so padding may hold anything). */
export function weightedSum(w: Float64Array, values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < w.length; i++) if (w[i] !== 0) s += w[i] * values[i];
  return s;
}

/**
 * verl's `masked_mean(x, m) = Σ x·m / (Σ m + 1e-8)`; values where `mask == 0` are not read.
 *
 * @example
 * ```ts
 * import { maskedMean } from "@sentrl/core";
 * maskedMean(new Float64Array([2, 4, 100]), new Uint8Array([1, 1, 0])); // ≈ 3
 * ```
 */
export function maskedMean(values: ArrayLike<number>, mask: Uint8Array): number {
  let s = 0;
  let c = 0;
  for (let i = 0; i < mask.length; i++) {
    if (mask[i] !== 0) {
      s += values[i];
      c++;
    }
  }
  return s / (c + MASKED_MEAN_EPS);
}
