/** Reference RMSNorm: float64 mean of squares, float32 output; stores the reciprocal RMS in `rstd` when given. */
export function rmsnormForward(out: Float32Array, x: Float32Array, weight: Float32Array, rows: number, dim: number, eps: number, rstd?: Float32Array): void {
  for (let r = 0; r < rows; r++) {
    const o = r * dim;
    let ss = 0;
    for (let i = 0; i < dim; i++) ss += x[o + i] * x[o + i];
    const inv = Math.fround(1 / Math.sqrt(ss / dim + eps));
    if (rstd) rstd[r] = inv;
    for (let i = 0; i < dim; i++) out[o + i] = Math.fround(x[o + i] * inv) * weight[i];
  }
}

/**
 * Reference RMSNorm backward (accumulating). With `g = dOut ⊙ weight` and `r = rstd`:
 * `dx += r·g − r³·x·(Σ g·x)/dim`, `dWeight += Σ_rows dOut·x·r`.
 */
export function rmsnormBackward(dOut: Float32Array, x: Float32Array, weight: Float32Array, rstd: Float32Array, dx: Float32Array, dWeight: Float32Array | undefined, rows: number, dim: number): void {
  const dw = dWeight ? new Float64Array(dim) : undefined;
  for (let r = 0; r < rows; r++) {
    const o = r * dim;
    const inv = rstd[r];
    let dot = 0;
    for (let i = 0; i < dim; i++) dot += dOut[o + i] * weight[i] * x[o + i];
    const c = (inv * inv * inv * dot) / dim;
    for (let i = 0; i < dim; i++) {
      dx[o + i] += inv * dOut[o + i] * weight[i] - c * x[o + i];
      if (dw) dw[i] += dOut[o + i] * x[o + i] * inv;
    }
  }
  if (dWeight && dw) for (let i = 0; i < dim; i++) dWeight[i] += dw[i];
}
