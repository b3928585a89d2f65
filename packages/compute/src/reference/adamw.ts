/** One tensor's state for the reference AdamW. */
export interface AdamWArrays {
  param: Float32Array;
  grad: Float32Array;
  m: Float32Array;
  v: Float32Array;
  weightDecay: number;
}

/** Global L2 norm of all gradients, float64. */
export function globalGradNorm(grads: Float32Array[]): number {
  let ss = 0;
  for (const g of grads) for (let i = 0; i < g.length; i++) ss += g[i] * g[i];
  return Math.sqrt(ss);
}

/** Reference AdamW with global-norm clipping (PyTorch `clip_grad_norm_` + `AdamW` semantics); see `AdamWArgs`. */
export function adamwStep(
  tensors: AdamWArrays[],
  lr: number,
  beta1: number,
  beta2: number,
  eps: number,
  step: number,
  maxGradNorm: number | undefined,
): { gradNorm: number; clipCoef: number } {
  const gradNorm = globalGradNorm(tensors.map((t) => t.grad));
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
  return { gradNorm, clipCoef };
}
