/**
 * Semantic-entropy estimators over cluster assignments (docs/algorithms.md §4.3, §8.2). Pure functions on numbers: use them
 * with any clustering (answer equality, NLI, embeddings).
 */
import { SentrlError } from "@sentrl/core";

/** How per-response probabilities enter the cluster probabilities. */
export type SEEstimator = "discrete" | "lengthNormalized" | "raw" | "kuhn";

/** All estimators, in the order the CLI lists them. */
export const SE_ESTIMATORS: readonly SEEstimator[] = ["discrete", "lengthNormalized", "raw", "kuhn"];

/** The constant shift Kuhn et al. (2023) subtract from each cluster's log-likelihood (`llh_shift`). */
export const KUHN_LLH_SHIFT = 5.0;

type NumArray = ArrayLike<number>;

/**
 * log Σ exp(x), max-shifted so that it never overflows; −∞ for an empty input or all −∞.
 *
 * @example
 * logSumExp([0, 0]); // Math.log(2)
 */
export function logSumExp(x: NumArray): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < x.length; i++) if (x[i] > max) max = x[i];
  if (max === Number.NEGATIVE_INFINITY) return max;
  if (max === Number.POSITIVE_INFINITY) return max;
  let s = 0;
  for (let i = 0; i < x.length; i++) s += Math.exp(x[i] - max);
  return max + Math.log(s);
}

function numClusters(clusterIds: NumArray): number {
  let k = 0;
  for (let i = 0; i < clusterIds.length; i++) {
    const id = clusterIds[i];
    if (!Number.isInteger(id) || id < 0)
      throw new SentrlError(
        "SE_BAD_CLUSTER_ID",
        `cluster id ${id} at position ${i} is not a non-negative integer; number clusters 0..K-1`,
      );
    if (id + 1 > k) k = id + 1;
  }
  return k;
}

/**
 * Per-cluster log-probabilities log p(C_k), normalised over all responses:
 * log p(C_k) = log Σ_{s∈C_k} exp(w_s) − log Σ_s exp(w_s). Without `logWeights` every response weighs the same
 * (cluster frequencies). Clusters with no member get −∞.
 */
export function clusterLogProbs(clusterIds: NumArray, logWeights?: NumArray): Float64Array {
  const m = clusterIds.length;
  const k = numClusters(clusterIds);
  const out = new Float64Array(k).fill(Number.NEGATIVE_INFINITY);
  if (m === 0) return out;
  if (logWeights === undefined) {
    const counts = new Float64Array(k);
    for (let i = 0; i < m; i++) counts[clusterIds[i]] += 1;
    for (let c = 0; c < k; c++) out[c] = counts[c] > 0 ? Math.log(counts[c] / m) : Number.NEGATIVE_INFINITY;
    return out;
  }
  if (logWeights.length !== m)
    throw new SentrlError(
      "SE_LENGTH_MISMATCH",
      `logWeights has ${logWeights.length} entries for ${m} responses; pass one per response`,
    );
  // Per-cluster max for a stable log-sum-exp, then the global normaliser from the cluster sums.
  const max = new Float64Array(k).fill(Number.NEGATIVE_INFINITY);
  for (let i = 0; i < m; i++) {
    const w = logWeights[i];
    if (Number.isNaN(w))
      throw new SentrlError("SE_NAN_WEIGHT", `log weight of response ${i} is NaN; check the log-likelihoods`);
    if (w > max[clusterIds[i]]) max[clusterIds[i]] = w;
  }
  const sum = new Float64Array(k);
  for (let i = 0; i < m; i++) {
    const c = clusterIds[i];
    if (max[c] !== Number.NEGATIVE_INFINITY) sum[c] += Math.exp(logWeights[i] - max[c]);
  }
  for (let c = 0; c < k; c++) out[c] = max[c] === Number.NEGATIVE_INFINITY ? max[c] : max[c] + Math.log(sum[c]);
  const z = logSumExp(out);
  if (z === Number.NEGATIVE_INFINITY)
    throw new SentrlError("SE_ZERO_PROBABILITY", "every response has probability 0 (all log weights are -Infinity)");
  for (let c = 0; c < k; c++) out[c] -= z;
  return out;
}

/**
 * Semantic entropy −Σ_k p̂(C_k) ln p̂(C_k) from cluster ids (0..K−1) and optional per-response log weights
 * (natural log; e.g. mean token log-prob for the length-normalised estimator). Without weights this is the discrete
 * estimator. Always 0 ≤ H ≤ ln K; exactly 0 for a single cluster.
 *
 * @example
 * semanticEntropy([0, 0, 0, 0, 0, 1, 1, 2]); // 0.9002560512685369
 * semanticEntropy([0, 0, 1], [-0.2, -0.3, -0.9]); // likelihood-weighted
 */
export function semanticEntropy(clusterIds: NumArray, logWeights?: NumArray): number {
  const logP = clusterLogProbs(clusterIds, logWeights);
  let h = 0;
  for (let c = 0; c < logP.length; c++) {
    const lp = logP[c];
    if (lp === Number.NEGATIVE_INFINITY || lp >= 0) continue;
    h -= Math.exp(lp) * lp;
  }
  return h;
}

/**
 * Kuhn et al. (ICLR 2023) Monte-Carlo estimate over clusters: log p(C_k) = logsumexp_{s∈C_k} ℓ_s − 5 (not normalised
 * over clusters) and SE = −(1/K) Σ_k log p(C_k). `logWeights` are the length-normalised log-likelihoods ℓ_s.
 * Not bounded by ln K (it can be negative).
 */
export function kuhnSemanticEntropy(clusterIds: NumArray, logWeights: NumArray, shift = KUHN_LLH_SHIFT): number {
  const m = clusterIds.length;
  if (logWeights.length !== m)
    throw new SentrlError(
      "SE_LENGTH_MISMATCH",
      `logWeights has ${logWeights.length} entries for ${m} responses; pass one per response`,
    );
  const k = numClusters(clusterIds);
  if (k === 0) return 0;
  let acc = 0;
  let present = 0;
  const members: number[] = [];
  for (let c = 0; c < k; c++) {
    members.length = 0;
    for (let i = 0; i < m; i++) if (clusterIds[i] === c) members.push(logWeights[i]);
    if (members.length === 0) continue;
    acc += logSumExp(members) - shift;
    present++;
  }
  return -acc / present;
}

/** Per-response log weights for an estimator: 0 (`discrete`), logLik (`raw`), logLik / length (`lengthNormalized`, `kuhn`). */
export function responseLogWeights(
  estimator: SEEstimator,
  logLik?: NumArray,
  lengths?: NumArray,
): Float64Array | undefined {
  if (estimator === "discrete") return undefined;
  if (logLik === undefined)
    throw new SentrlError(
      "SE_LOGLIK_REQUIRED",
      `estimator \`${estimator}\` needs logLik (summed token log-probs per response); pass it or use --estimator discrete`,
    );
  const out = new Float64Array(logLik.length);
  if (estimator === "raw") {
    for (let i = 0; i < logLik.length; i++) out[i] = logLik[i];
    return out;
  }
  if (lengths === undefined)
    throw new SentrlError(
      "SE_LENGTHS_REQUIRED",
      `estimator \`${estimator}\` needs lengths (token count per response); pass it or use --estimator discrete / raw`,
    );
  if (lengths.length !== logLik.length)
    throw new SentrlError(
      "SE_LENGTH_MISMATCH",
      `lengths has ${lengths.length} entries, logLik ${logLik.length}; pass one of each per response`,
    );
  for (let i = 0; i < logLik.length; i++) {
    const n = lengths[i];
    if (!(n >= 1)) throw new SentrlError("SE_BAD_LENGTH", `length of response ${i} is ${n}; token counts must be ≥ 1`);
    out[i] = logLik[i] / n;
  }
  return out;
}

/**
 * Semantic entropy of one question with the named estimator.
 *
 * @example
 * estimateSemanticEntropy([0, 1], "lengthNormalized", [-10, -20], [10, 10]);
 */
export function estimateSemanticEntropy(
  clusterIds: NumArray,
  estimator: SEEstimator,
  logLik?: NumArray,
  lengths?: NumArray,
): number {
  if (!SE_ESTIMATORS.includes(estimator))
    throw new SentrlError(
      "SE_UNKNOWN_ESTIMATOR",
      `unknown estimator \`${estimator}\`; use one of ${SE_ESTIMATORS.join(", ")}`,
    );
  if (logLik !== undefined && logLik.length !== clusterIds.length)
    throw new SentrlError(
      "SE_LENGTH_MISMATCH",
      `logLik has ${logLik.length} entries for ${clusterIds.length} responses; pass one per response`,
    );
  const w = responseLogWeights(estimator, logLik, lengths);
  if (estimator === "kuhn") return kuhnSemanticEntropy(clusterIds, w as Float64Array);
  return semanticEntropy(clusterIds, w);
}
