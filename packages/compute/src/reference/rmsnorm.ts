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
