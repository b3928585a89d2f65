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
