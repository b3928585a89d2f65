import { absKlTerms, type LossWorkspace, MASKED_MEAN_EPS, type TokenBatch, type TokenLossResult } from "@sentrl/core";

/**
 * The code-mode per-token term of SENT v2 and v1 (docs/algorithms.md §5.2 (e)): core's {@link absKlTerms}
 * (`ℓ = −A·r + c·|Δ|`, `∂ℓ/∂logp = −A·r + c·sign(Δ)`, shared with KL-Cov) plus the metric
 * `sent/penalized_abs_log_ratio`: the mean |Δ| over the valid tokens whose coefficient is > 0 (0 when none).
 *
 * @example
 * ```ts
 * import { absKlTokenTerms } from "@sentrl/token-entropy-kl";
 * const t = absKlTokenTerms({ rows: 1, cols: 1, mask: new Uint8Array([1]), logp: new Float64Array([-1]),
 *   oldLogp: new Float64Array([-1.5]), advantages: new Float64Array([0]) }, [0.2]);
 * t.loss[0]; // 0.1 = 0.2·|0.5|;  t.dLogp[0] = 0.2
 * ```
 */
export function absKlTokenTerms(
  batch: TokenBatch,
  coef: ArrayLike<number>,
  workspace?: LossWorkspace,
): TokenLossResult & { metrics: Record<string, number> } {
  const n = batch.rows * batch.cols;
  const out = workspace ? { loss: workspace.f64("sent.loss", n), dLogp: workspace.f64("sent.dLogp", n) } : undefined;
  const { loss, dLogp, metrics, penalizedAbsLogRatio } = absKlTerms(batch, coef, out);
  return { loss, dLogp, metrics: { ...metrics, "sent/penalized_abs_log_ratio": penalizedAbsLogRatio } };
}

/**
 * SENT "paper" mode per-token term (docs/algorithms.md §5.5): `ℓ = −min(r·A, clip(r, 1−ε, 1+ε)·A) + β·k3(logp, refLogp)`,
 * with `r = e^(logp − oldLogp)` (no ±20 clamp and no dual-clip: the paper's formula). Gradients follow torch
 * (clamp boundaries pass the gradient, ties of max split it). Metrics: `ppo_kl = masked_mean(−Δ)`,
 * `pg_clipfrac = masked_mean(pg2 > pg1)`, `pg_clipfrac_lower = 0`, `sent/penalized_k3` (mean k3 over β > 0 tokens).
 *
 * @example
 * ```ts
 * import { paperTokenTerms } from "@sentrl/token-entropy-kl";
 * const t = paperTokenTerms({ rows: 1, cols: 1, mask: new Uint8Array([1]), logp: new Float64Array([-1]),
 *   oldLogp: new Float64Array([-1]), refLogp: new Float64Array([-1.5]), advantages: new Float64Array([1]) }, [0.2], 0.2);
 * t.loss[0]; // −1 + 0.2·k3(−1, −1.5)
 * ```
 */
export function paperTokenTerms(
  batch: TokenBatch,
  beta: ArrayLike<number>,
  clipRatio: number,
  workspace?: LossWorkspace,
): TokenLossResult & { metrics: Record<string, number> } {
  const { mask, logp, oldLogp, advantages: A } = batch;
  const refLogp = batch.refLogp!;
  const n = batch.rows * batch.cols;
  // loss/dLogp are written only where mask != 0 (fresh arrays are 0 elsewhere; workspace buffers keep stale values)
  const loss = workspace ? workspace.f64("sent.loss", n) : new Float64Array(n);
  const dLogp = workspace ? workspace.f64("sent.dLogp", n) : new Float64Array(n);
  const lo = 1 - clipRatio;
  const hi = 1 + clipRatio;
  const { count, klSum, clipped, penCount, penK3 } = paperKernel(
    mask,
    logp,
    oldLogp,
    refLogp,
    A,
    beta,
    lo,
    hi,
    loss,
    dLogp,
    n,
  );
  const den = count + MASKED_MEAN_EPS;
  return {
    loss,
    dLogp,
    metrics: {
      ppo_kl: klSum / den,
      pg_clipfrac: clipped / den,
      pg_clipfrac_lower: 0,
      "sent/penalized_k3": penCount > 0 ? penK3 / penCount : 0,
    },
  };
}

/**
 * The per-token terms of {@link paperTokenTerms} over `[0, n)`; returns the metric sums: count, Σ(−Δ), clipped,
 * penalised count, Σ k3 over the penalised tokens.
 */
function paperKernel(
  mask: Uint8Array,
  logp: ArrayLike<number>,
  oldLogp: ArrayLike<number>,
  refLogp: ArrayLike<number>,
  A: ArrayLike<number>,
  beta: ArrayLike<number>,
  lo: number,
  hi: number,
  loss: Float64Array,
  dLogp: Float64Array,
  n: number,
): { count: number; klSum: number; clipped: number; penCount: number; penK3: number } {
  let count = 0;
  let klSum = 0;
  let clipped = 0;
  let penCount = 0;
  let penK3 = 0;
  for (let i = 0; i < n; i++) {
    if (mask[i] === 0) continue;
    const d = logp[i] - oldLogp[i];
    const r = Math.exp(d);
    const rc = Math.min(Math.max(r, lo), hi);
    const pg1 = -A[i] * r;
    const pg2 = -A[i] * rc;
    const g1 = pg1;
    const g2 = r >= lo && r <= hi ? g1 : 0;
    let pg: number;
    let g: number;
    if (pg1 > pg2) {
      pg = pg1;
      g = g1;
    } else if (pg2 > pg1) {
      pg = pg2;
      g = g2;
      clipped++;
    } else {
      pg = pg1;
      g = 0.5 * (g1 + g2);
    }
    // k3(logp, refLogp) and its gradient, exactly as core's klPenalty(…, "k3") computes them
    const raw = refLogp[i] - logp[i];
    const x = raw < -20 ? -20 : Math.min(raw, 20);
    const ex = Math.exp(x);
    const u = ex - x - 1;
    const klValue = u > 10 ? 10 : Math.max(u, -10);
    const klGrad = raw >= -20 && raw <= 20 && u <= 10 && u >= -10 ? 1 - ex : 0;
    const b = beta[i];
    loss[i] = pg + b * klValue;
    dLogp[i] = g + (b !== 0 ? b * klGrad : 0);
    count++;
    klSum -= d;
    if (b > 0) {
      penCount++;
      penK3 += klValue;
    }
  }
  return { count, klSum, clipped, penCount, penK3 };
}
