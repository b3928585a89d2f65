import type { OptimizerSettings, OptimizerStepResult } from "../contracts/policy.js";

/** Global L2 norm of a gradient vector. */
export function globalGradNorm(grad: Float64Array | Float32Array): number {
  let s = 0;
  for (let i = 0; i < grad.length; i++) s += grad[i] * grad[i];
  return Math.sqrt(s);
}

/**
 * Global-norm clipping then one AdamW update, as PyTorch's `clip_grad_norm_` + `torch.optim.AdamW` (decoupled
 * weight decay `θ ← θ(1 − lr·wd)`, bias-corrected moments). A non-finite norm skips the update (verl). `step` is the
 * 1-based update count after this update. Gradients are scaled in place by the clip; they are not zeroed.
 *
 * @example
 * ```ts
 * import { adamwStep } from "@sentrl/core";
 * const p = new Float64Array([1]), g = new Float64Array([0.5]), m = new Float64Array(1), v = new Float64Array(1);
 * adamwStep(p, g, m, v, 1, { lr: 0.1, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, maxGradNorm: 1 });
 * ```
 */
export function adamwStep(
  params: Float64Array,
  grad: Float64Array,
  m: Float64Array,
  v: Float64Array,
  step: number,
  s: OptimizerSettings,
): OptimizerStepResult {
  const gradNorm = globalGradNorm(grad);
  if (!Number.isFinite(gradNorm)) return { gradNorm, applied: false };
  if (s.maxGradNorm > 0 && Number.isFinite(s.maxGradNorm)) {
    const coef = s.maxGradNorm / (gradNorm + 1e-6);
    if (coef < 1) for (let i = 0; i < grad.length; i++) grad[i] *= coef;
  }
  const [b1, b2] = s.betas;
  const bc1 = 1 - b1 ** step;
  const bc2 = 1 - b2 ** step;
  const decay = 1 - s.lr * s.weightDecay;
  const stepSize = s.lr / bc1;
  const sqrtBc2 = Math.sqrt(bc2);
  for (let i = 0; i < params.length; i++) {
    const g = grad[i];
    m[i] = b1 * m[i] + (1 - b1) * g;
    v[i] = b2 * v[i] + (1 - b2) * g * g;
    params[i] = params[i] * decay - (stepSize * m[i]) / (Math.sqrt(v[i]) / sqrtBc2 + s.eps);
  }
  return { gradNorm, applied: true };
}
