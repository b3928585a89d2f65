import type { RolloutGroup, TrainingSample } from "../contracts/dataset.js";
import type { StepMetrics } from "./steps.js";

/**
 * The engine/trainer log-prob mismatch and truncated importance sampling (docs/serving.md §3). For
 * each response token, `oldLogp` (the trainer's own recomputation) against the log-prob the sampler reported
 * (`tokenLogprobs` of the rollout). Metrics, over all response tokens (verl's names):
 * `training/rollout_probs_diff_max|mean|std` (|p_old − p_rollout|) and `rollout_corr/kl` (mean of
 * rollout − old log-prob, the k1 estimate of KL(rollout ‖ old)). With `tisCap`, each token's weight
 * `w = min(exp(oldLogp − rolloutLogp), tisCap)` is stored in `sample.tokenWeights` (it multiplies the token's
 * advantage, which for the clipped surrogate of docs/algorithms.md §6.3 is verl's `pg_losses · w`, w > 0), with
 * `rollout_corr/tis_weight_mean` and `rollout_corr/tis_clip_frac`. Responses without log-probs (a generator that gives
 * none) are left out; with none at all nothing is logged and a `tisCap` has nothing to correct.
 *
 * `samples` must be `toTrainingSamples(groups)` (the same order), after `computeOldAndRefLogp`.
 */
export function rolloutCorrection(
  groups: readonly RolloutGroup[],
  samples: TrainingSample[],
  tisCap: number | undefined,
  metrics: StepMetrics,
): void {
  let k = 0;
  let n = 0;
  let sum = 0;
  let sumSq = 0;
  let max = 0;
  let klSum = 0;
  let wSum = 0;
  let clipped = 0;
  for (const g of groups) {
    for (const r of g.responses) {
      const s = samples[k++];
      const rollout = r.tokenLogprobs;
      const old = s.oldLogp;
      const len = s.responseTokens.length;
      if (!rollout || !old || rollout.length < len) continue;
      const w = tisCap === undefined ? undefined : new Float64Array(len);
      for (let t = 0; t < len; t++) {
        const d = Math.abs(Math.exp(old[t]) - Math.exp(rollout[t]));
        sum += d;
        sumSq += d * d;
        if (d > max) max = d;
        klSum += rollout[t] - old[t];
        n++;
        if (w && tisCap !== undefined) {
          const ratio = Math.exp(old[t] - rollout[t]);
          w[t] = Math.min(ratio, tisCap);
          if (ratio > tisCap) clipped++;
          wSum += w[t];
        }
      }
      if (w) s.tokenWeights = w;
    }
  }
  if (n === 0) return;
  const mean = sum / n;
  metrics.record("training/rollout_probs_diff_max", max);
  metrics.record("training/rollout_probs_diff_mean", mean);
  metrics.record("training/rollout_probs_diff_std", Math.sqrt(Math.max(0, sumSq / n - mean * mean)));
  metrics.record("rollout_corr/kl", klSum / n);
  if (tisCap !== undefined) {
    metrics.record("rollout_corr/tis_weight_mean", wSum / n);
    metrics.record("rollout_corr/tis_clip_frac", clipped / n);
  }
}
