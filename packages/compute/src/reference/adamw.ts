/** One tensor's state for the AdamW update on plain typed arrays (float32 or float64, all four of one length). */
export interface AdamWArrays<A extends Float32Array | Float64Array = Float32Array | Float64Array> {
  param: A;
  grad: A;
  m: A;
  v: A;
  weightDecay: number;
}

/** Global L2 norm of all gradients, accumulated in float64. */
export function globalGradNorm(grads: readonly (Float32Array | Float64Array)[]): number {
  let ss = 0;
  for (const g of grads) for (let i = 0; i < g.length; i++) ss += g[i] * g[i];
  return Math.sqrt(ss);
}

/**
 * AdamW with global-norm clipping on plain typed arrays: the arithmetic of `Backend.adamwStep` (PyTorch
 * `clip_grad_norm_` + `AdamW`, decoupled decay), used by the reference backend and by policies that keep their
 * parameters in JavaScript arrays (float64 included). A non-finite global norm skips the update (`applied: false`),
 * the rule documented on `AdamWArgs`. Gradients are not modified.
 *
 * @example
 * ```ts
 * import { adamwUpdate } from "@sentrl/compute";
 * const t = { param: new Float64Array([1]), grad: new Float64Array([0.5]), m: new Float64Array(1), v: new Float64Array(1), weightDecay: 0 };
 * adamwUpdate([t], { lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8, step: 1 }); // t.param[0] ≈ 0.9
 * ```
 */
export function adamwUpdate(
  tensors: readonly AdamWArrays[],
  o: { lr: number; beta1: number; beta2: number; eps: number; step: number; maxGradNorm?: number },
): { gradNorm: number; clipCoef: number; applied: boolean } {
  const { lr, beta1, beta2, eps, step, maxGradNorm } = o;
  const gradNorm = globalGradNorm(tensors.map((t) => t.grad));
  if (!Number.isFinite(gradNorm)) return { gradNorm, clipCoef: 1, applied: false };
  let clipCoef = 1;
  if (maxGradNorm !== undefined && maxGradNorm > 0 && Number.isFinite(maxGradNorm)) {
    clipCoef = Math.min(1, maxGradNorm / (gradNorm + 1e-6));
  }
  const bc1 = 1 - beta1 ** step;
  const bc2Sqrt = Math.sqrt(1 - beta2 ** step);
  const stepSize = lr / bc1;
  for (const { param, grad, m, v, weightDecay } of tensors) {
    const decay = 1 - lr * weightDecay;
    for (let i = 0; i < param.length; i++) {
      const g = grad[i] * clipCoef;
      const p = param[i] * decay;
      const mi = beta1 * m[i] + (1 - beta1) * g;
      const vi = beta2 * v[i] + (1 - beta2) * g * g;
      m[i] = mi;
      v[i] = vi;
      param[i] = p - (stepSize * mi) / (Math.sqrt(vi) / bc2Sqrt + eps);
    }
  }
  return { gradNorm, clipCoef, applied: true };
}
