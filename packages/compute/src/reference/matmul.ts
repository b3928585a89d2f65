/**
 * Reference `out[rows, outDim] = x[rows, inDim] @ w[outDim, inDim]^T (+ bias)`: each output is a dot product of
 * two contiguous rows, accumulated in float32 with four partial sums (the order a vectorised kernel would use).
 */
export function matmulForward(out: Float32Array, x: Float32Array, w: Float32Array, bias: Float32Array | undefined, rows: number, inDim: number, outDim: number): void {
  const k4 = inDim - (inDim % 4);
  for (let r = 0; r < rows; r++) {
    const xo = r * inDim;
    const oo = r * outDim;
    for (let o = 0; o < outDim; o++) {
      const wo = o * inDim;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      let i = 0;
      for (; i < k4; i += 4) {
        s0 += x[xo + i] * w[wo + i];
        s1 += x[xo + i + 1] * w[wo + i + 1];
        s2 += x[xo + i + 2] * w[wo + i + 2];
        s3 += x[xo + i + 3] * w[wo + i + 3];
      }
      for (; i < inDim; i++) s0 += x[xo + i] * w[wo + i];
      out[oo + o] = s0 + s1 + (s2 + s3) + (bias ? bias[o] : 0);
    }
  }
}

/** Reference matmul backward (accumulating): `dx += dOut @ w`, `dw += dOut^T @ x`, `dBias += Σ dOut`. */
export function matmulBackward(
  dOut: Float32Array,
  x: Float32Array,
  w: Float32Array,
  dx: Float32Array | undefined,
  dw: Float32Array | undefined,
  dBias: Float32Array | undefined,
  rows: number,
  inDim: number,
  outDim: number,
): void {
  if (dx) {
    const acc = new Float64Array(inDim);
    for (let r = 0; r < rows; r++) {
      acc.fill(0);
      const go = r * outDim;
      for (let o = 0; o < outDim; o++) {
        const g = dOut[go + o];
        if (g === 0) continue;
        const wo = o * inDim;
        for (let i = 0; i < inDim; i++) acc[i] += g * w[wo + i];
      }
      const xo = r * inDim;
      for (let i = 0; i < inDim; i++) dx[xo + i] += acc[i];
    }
  }
  if (dw || dBias) {
    const acc = new Float64Array(inDim);
    for (let o = 0; o < outDim; o++) {
      acc.fill(0);
      let b = 0;
      for (let r = 0; r < rows; r++) {
        const g = dOut[r * outDim + o];
        if (g === 0) continue;
        b += g;
        if (dw) {
          const xo = r * inDim;
          for (let i = 0; i < inDim; i++) acc[i] += g * x[xo + i];
        }
      }
      if (dw) {
        const wo = o * inDim;
        for (let i = 0; i < inDim; i++) dw[wo + i] += acc[i];
      }
      if (dBias) dBias[o] += b;
    }
  }
}
