import type { CommonLossOptions, LossContext, PolicyLoss } from "../contracts/policy-loss.js";
import type { TokenBatch } from "../contracts/token-batch.js";
import { SentrlError } from "../errors.js";
import { evaluatePolicyLoss } from "./evaluate.js";
import { mapTokenVectors } from "./map-vectors.js";

/** Tolerances and step of a finite-difference gradient check. */
export interface GradcheckOptions {
  /** Relative step: h = eps · max(1, |xᵢ|) (default 1e-6). */
  eps?: number;
  /** A coordinate passes when its absolute error ≤ atol (default 1e-7) ... */
  atol?: number;
  /** ... or its relative error ≤ rtol (default 1e-5). */
  rtol?: number;
}

/** Per-coordinate comparison of the analytic gradient with central finite differences. */
export interface GradcheckResult {
  ok: boolean;
  maxAbsError: number;
  maxRelError: number;
  /** Index of the coordinate with the largest absolute error (-1 for an empty input). */
  worst: number;
  analytic: Float64Array;
  numeric: Float64Array;
  /** |analytic − numeric| per coordinate. */
  absError: Float64Array;
  /** |analytic − numeric| / max(|analytic|, |numeric|) per coordinate (0 when both are 0). */
  relError: Float64Array;
}

/**
 * Checks `f(x).grad` against central finite differences in float64: for each coordinate i,
 * `(f(x + h·eᵢ) − f(x − h·eᵢ)) / 2h` with `h = eps·max(1, |xᵢ|)`. A coordinate passes when its absolute error is at
 * most `atol` or its relative error at most `rtol`. Keep `x` away from kinks (clip boundaries, |x| at 0, clamps):
 * finite differences straddling a kink disagree with any one-sided derivative.
 *
 * @example
 * ```ts
 * import { gradcheck } from "@sentrl/core";
 * const r = gradcheck((x) => ({ value: x[0] * x[0], grad: new Float64Array([2 * x[0]]) }), new Float64Array([3]));
 * r.ok; // true
 * ```
 */
export function gradcheck(
  f: (x: Float64Array) => { value: number; grad: Float64Array },
  x: Float64Array,
  opts: GradcheckOptions = {},
): GradcheckResult {
  const eps = opts.eps ?? 1e-6;
  const atol = opts.atol ?? 1e-7;
  const rtol = opts.rtol ?? 1e-5;
  const n = x.length;
  const xx = Float64Array.from(x);
  const analytic = Float64Array.from(f(xx).grad);
  if (analytic.length !== n) {
    throw new SentrlError("GRADCHECK_SHAPE", `the gradient has ${analytic.length} entries, the input ${n}`);
  }
  const numeric = new Float64Array(n);
  const absError = new Float64Array(n);
  const relError = new Float64Array(n);
  let ok = true;
  let maxAbsError = 0;
  let maxRelError = 0;
  let worst = n > 0 ? 0 : -1;
  for (let i = 0; i < n; i++) {
    const x0 = xx[i];
    const h = eps * Math.max(1, Math.abs(x0));
    const xp = x0 + h;
    const xm = x0 - h;
    xx[i] = xp;
    const fp = f(xx).value;
    xx[i] = xm;
    const fm = f(xx).value;
    xx[i] = x0;
    numeric[i] = (fp - fm) / (xp - xm);
    const a = Math.abs(analytic[i] - numeric[i]);
    const scale = Math.max(Math.abs(analytic[i]), Math.abs(numeric[i]));
    const r = scale > 0 ? a / scale : 0;
    absError[i] = a;
    relError[i] = r;
    if (!(a <= atol || r <= rtol)) ok = false;
    if (a > maxAbsError) {
      maxAbsError = a;
      worst = i;
    }
    if (r > maxRelError) maxRelError = r;
  }
  return { ok, maxAbsError, maxRelError, worst, analytic, numeric, absError, relError };
}

/** Result of {@link gradcheckPolicyLoss}: the check of `gradLogp`, and of `gradEntropy` when it is present. */
export interface PolicyLossGradcheck {
  ok: boolean;
  logp: GradcheckResult;
  entropy?: GradcheckResult;
}

/**
 * Finite-difference check of a policy loss's gradients as core assembles them (`evaluatePolicyLoss`: policy term,
 * aggregation, entropy bonus, reference KL). The selection is **frozen**: `select` runs once on the unperturbed batch
 * and the same selection is passed to every evaluation, since top-k choices flip under perturbation. Checks
 * `gradLogp` and, when the entropy is differentiated, `gradEntropy`. For plugin authors:
 *
 * Straight-through KL types (`k3+`, ...) are excluded by design: their gradient is k2's, not the derivative of their
 * value, so this check throws `GRADCHECK_STRAIGHT_THROUGH` for them.
 *
 * @example
 * ```ts
 * import { gradcheckPolicyLoss, grpoLoss } from "@sentrl/core";
 * const batch = { rows: 1, cols: 2, mask: new Uint8Array([1, 1]), logp: new Float64Array([-1, -2]),
 *   oldLogp: new Float64Array([-1.05, -1.9]), refLogp: new Float64Array([-1.2, -2.2]),
 *   advantages: new Float64Array([0.7, 0.7]) };
 * gradcheckPolicyLoss(grpoLoss.create({}), batch, { useKlLoss: true, klLossType: "k3" }).ok; // true
 * ```
 */
export function gradcheckPolicyLoss(
  loss: PolicyLoss,
  batch: TokenBatch,
  common: Partial<CommonLossOptions> = {},
  opts: GradcheckOptions & { ctx?: Partial<LossContext> } = {},
): PolicyLossGradcheck {
  if (common.useKlLoss && common.klLossType?.endsWith("+")) {
    throw new SentrlError(
      "GRADCHECK_STRAIGHT_THROUGH",
      `klLossType \`${common.klLossType}\` is straight-through (value of one estimator, gradient of k2): it has no finite-difference gradient to check; check \`${common.klLossType.slice(0, -1)}\` instead`,
    );
  }
  const base = mapTokenVectors(batch, (v) => Float64Array.from(v));
  const ctx = opts.ctx ?? {};
  let valid = 0;
  for (let i = 0; i < base.mask.length; i++) valid += base.mask[i];
  const selection = valid > 0 ? loss.select?.(base, { step: 0, microBatch: 0, seed: 0, ...ctx }) : undefined;
  const first = evaluatePolicyLoss(loss, base, common, ctx, selection);
  const logp = gradcheck(
    (x) => {
      const o = evaluatePolicyLoss(loss, { ...base, logp: x }, common, ctx, selection);
      return { value: o.loss, grad: o.gradLogp };
    },
    base.logp as Float64Array,
    opts,
  );
  if (!first.gradEntropy || !base.entropy) return { ok: logp.ok, logp };
  const entropy = gradcheck(
    (x) => {
      const o = evaluatePolicyLoss(loss, { ...base, entropy: x }, common, ctx, selection);
      return { value: o.loss, grad: o.gradEntropy! };
    },
    base.entropy as Float64Array,
    opts,
  );
  return { ok: logp.ok && entropy.ok, logp, entropy };
}
