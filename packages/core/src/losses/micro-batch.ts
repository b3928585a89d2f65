import { SentrlError } from "../errors.js";
import type { PolicyLossOutput } from "./evaluate.js";

/**
 * How the losses of the micro-batches of one mini-batch combine (DESIGN "core owns ... the combination"):
 * - `microBatchMean`: the uniform mean of the micro-batch losses (verl 0.4 and the SENT runs, docs/algorithms.md §6.5:
 *   `loss_mb / grad_accum`);
 * - `globalTokenMean`: each micro-batch weighted by its share of the mini-batch's valid tokens, `n_i / Σ n`. When
 *   every micro-batch aggregates with `token-mean` this is the token mean over the whole mini-batch (newer verl).
 */
export type MicroBatchCombination = "microBatchMean" | "globalTokenMean";

/**
 * The factor each micro-batch's loss (and gradient) is multiplied by before they are summed. Trainers that
 * back-propagate micro-batch by micro-batch scale each one by its factor.
 *
 * @example
 * ```ts
 * import { microBatchWeights } from "@sentrl/core";
 * microBatchWeights("microBatchMean", [10, 30]); // [0.5, 0.5]
 * microBatchWeights("globalTokenMean", [10, 30]); // [0.25, 0.75]
 * ```
 */
export function microBatchWeights(mode: MicroBatchCombination, tokenCounts: ArrayLike<number>): Float64Array {
  const m = tokenCounts.length;
  const w = new Float64Array(m);
  if (mode === "microBatchMean") {
    w.fill(m > 0 ? 1 / m : 0);
    return w;
  }
  if (mode !== "globalTokenMean") {
    throw new SentrlError(
      "LOSS_BAD_OPTION",
      `unknown micro-batch combination ${JSON.stringify(mode)}; valid: microBatchMean, globalTokenMean`,
    );
  }
  let total = 0;
  for (let i = 0; i < m; i++) {
    const c = tokenCounts[i];
    if (!(Number.isInteger(c) && c >= 0)) {
      throw new SentrlError("LOSS_BAD_OPTION", `token count ${i} is ${c}; counts must be non-negative integers`);
    }
    total += c;
  }
  for (let i = 0; i < m; i++) w[i] = total > 0 ? tokenCounts[i] / total : 0;
  return w;
}

/**
 * Combines the outputs of consecutive micro-batches (row slices of one mini-batch, in order) into the output of the
 * mini-batch: the loss is `Σ wᵢ·lossᵢ` with {@link microBatchWeights}, the gradients are the micro-batches'
 * gradients scaled by `wᵢ` and concatenated by rows, metrics are `wᵢ`-weighted means (over the micro-batches that
 * report them). `tokenCounts[i]` is micro-batch i's number of valid tokens (needed by `globalTokenMean`; its length
 * must equal the number of outputs in both modes).
 *
 * @example
 * ```ts
 * import { combineMicroBatches } from "@sentrl/core";
 * const a = { loss: 1, gradLogp: new Float64Array([0.5, 0.5]), metrics: { pg_loss: 1 } };
 * const b = { loss: 3, gradLogp: new Float64Array([1, 0]), metrics: { pg_loss: 3 } };
 * combineMicroBatches([a, b], "globalTokenMean", [2, 1]).loss; // (2·1 + 1·3) / 3
 * ```
 */
export function combineMicroBatches(
  outputs: readonly PolicyLossOutput[],
  mode: MicroBatchCombination,
  tokenCounts: ArrayLike<number>,
): PolicyLossOutput {
  if (tokenCounts.length !== outputs.length) {
    throw new SentrlError(
      "LOSS_SHAPE_MISMATCH",
      `${outputs.length} micro-batch outputs but ${tokenCounts.length} token counts`,
    );
  }
  const w = microBatchWeights(mode, tokenCounts);
  let len = 0;
  let anyEntropy = false;
  for (const o of outputs) {
    len += o.gradLogp.length;
    if (o.gradEntropy) anyEntropy = true;
  }
  const gradLogp = new Float64Array(len);
  const gradEntropy = anyEntropy ? new Float64Array(len) : undefined;
  let loss = 0;
  let off = 0;
  const sums: Record<string, number> = {};
  const wsum: Record<string, number> = {};
  outputs.forEach((o, i) => {
    const wi = w[i];
    loss += wi * o.loss;
    for (let j = 0; j < o.gradLogp.length; j++) gradLogp[off + j] = wi * o.gradLogp[j];
    if (gradEntropy && o.gradEntropy)
      for (let j = 0; j < o.gradEntropy.length; j++) gradEntropy[off + j] = wi * o.gradEntropy[j];
    off += o.gradLogp.length;
    for (const [k, v] of Object.entries(o.metrics)) {
      sums[k] = (sums[k] ?? 0) + wi * v;
      wsum[k] = (wsum[k] ?? 0) + wi;
    }
  });
  const metrics: Record<string, number> = {};
  for (const k of Object.keys(sums)) metrics[k] = wsum[k] > 0 ? sums[k] / wsum[k] : 0;
  return gradEntropy ? { loss, gradLogp, gradEntropy, metrics } : { loss, gradLogp, metrics };
}
