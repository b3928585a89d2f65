import type { TokenLossResult } from "../contracts/policy-loss.js";
import type { TokenBatch } from "../contracts/token-batch.js";
import { MASKED_MEAN_EPS } from "./aggregation.js";

/** {@link absKlTerms}' result: the token terms, verl metrics, and the mean |Δ| over the penalised tokens. */
export interface AbsKlTerms extends TokenLossResult {
  metrics: Record<string, number>;
  /** Mean |Δ| over the valid tokens whose coefficient is > 0 (0 when there are none). */
  penalizedAbsLogRatio: number;
}

/**
 * The per-token term shared by KL-Cov (docs/algorithms.md §7.6) and the code modes of SENT v2/v1 (§5.2 (e)):
 * `ℓ = −A·r + c·|Δ|` with `Δ = logp − oldLogp` (no clamp), `r = e^Δ`, and `∂ℓ/∂logp = −A·r + c·sign(Δ)`
 * (`|x|'(0) = 0`, like torch); `c` is the per-token coefficient the loss's `select` chose. Positions with
 * `mask == 0` get ℓ = 0 and no gradient (with reusable `out` buffers they are left unwritten instead).
 * Metrics: `ppo_kl = masked_mean(|Δ|)`, `pg_clipfrac = pg_clipfrac_lower = 0`.
 *
 * @example
 * ```ts
 * import { absKlTerms } from "@sentrl/core";
 * const t = absKlTerms({ rows: 1, cols: 1, mask: new Uint8Array([1]), logp: new Float64Array([-1]),
 *   oldLogp: new Float64Array([-1.5]), advantages: new Float64Array([0]) }, [0.2]);
 * t.loss[0]; // 0.1 = 0.2·|0.5|;  t.dLogp[0] = 0.2
 * ```
 */
export function absKlTerms(
  batch: TokenBatch,
  coef: ArrayLike<number>,
  out?: { loss: Float64Array; dLogp: Float64Array },
): AbsKlTerms {
  const { mask, logp, oldLogp, advantages: A } = batch;
  const n = batch.rows * batch.cols;
  const loss = out?.loss ?? new Float64Array(n);
  const dLogp = out?.dLogp ?? new Float64Array(n);
  let count = 0;
  let absSum = 0;
  let penCount = 0;
  let penAbs = 0;
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
    if (c > 0) {
      penCount++;
      penAbs += ad;
    }
  }
  return {
    loss,
    dLogp,
    metrics: { ppo_kl: absSum / (count + MASKED_MEAN_EPS), pg_clipfrac: 0, pg_clipfrac_lower: 0 },
    penalizedAbsLogRatio: penCount > 0 ? penAbs / penCount : 0,
  };
}
