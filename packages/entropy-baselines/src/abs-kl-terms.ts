import { MASKED_MEAN_EPS, type TokenBatch, type TokenLossResult } from "@sentrl/core";

/**
 * KL-Cov's per-token term (ALGORITHMS §7.6): `ℓ = −A·r + c·|Δ|`, `Δ = logp − oldLogp` (no clamp), `r = e^Δ`,
 * `∂ℓ/∂logp = −A·r + c·sign(Δ)` (`|x|'(0) = 0`). ℓ = 0 and no gradient where `mask == 0`.
 * Metrics: `ppo_kl = masked_mean(|Δ|)`, `pg_clipfrac = pg_clipfrac_lower = 0`.
 *
 * @example
 * ```ts
 * import { absKlTerms } from "@sentrl/entropy-baselines";
 * absKlTerms({ rows: 1, cols: 1, mask: new Uint8Array([1]), logp: new Float64Array([-1]),
 *   oldLogp: new Float64Array([-1]), advantages: new Float64Array([2]) }, [1]).dLogp[0]; // −2 (|x|'(0) = 0)
 * ```
 */
export function absKlTerms(
  batch: TokenBatch,
  coef: ArrayLike<number>,
): TokenLossResult & { metrics: Record<string, number> } {
  const { mask, logp, oldLogp, advantages: A } = batch;
  const n = batch.rows * batch.cols;
  const loss = new Float64Array(n);
  const dLogp = new Float64Array(n);
  let count = 0;
  let absSum = 0;
  for (let i = 0; i < n; i++) {
    if (mask[i] === 0) continue;
    const d = logp[i] - oldLogp[i];
    const pg = -A[i] * Math.exp(d);
    const c = coef[i];
    const ad = Math.abs(d);
    loss[i] = pg + c * ad;
    dLogp[i] = pg + (c !== 0 ? c * Math.sign(d) : 0);
    count++;
    absSum += ad;
  }
  return { loss, dLogp, metrics: { ppo_kl: absSum / (count + MASKED_MEAN_EPS), pg_clipfrac: 0, pg_clipfrac_lower: 0 } };
}
