/** Inverse frequencies `fround(1 / theta^(2j/headDim))`, j < headDim/2, as Hugging Face computes them in float32. */
export function ropeInvFreq(headDim: number, theta: number): Float32Array {
  const half = headDim / 2;
  const f = new Float32Array(half);
  for (let j = 0; j < half; j++) f[j] = 1 / theta ** (Math.fround((2 * j) / headDim));
  return f;
}

/** Reference rotate-half RoPE; `out` may alias `x`. Angles are float32 products `pos · invFreq` (HF convention). */
export function ropeForward(out: Float32Array, x: Float32Array, positions: Int32Array, rows: number, heads: number, headDim: number, theta: number): void {
  const half = headDim / 2;
  const inv = ropeInvFreq(headDim, theta);
  const cos = new Float64Array(half);
  const sin = new Float64Array(half);
  const width = heads * headDim;
  for (let r = 0; r < rows; r++) {
    const pos = positions[r];
    for (let j = 0; j < half; j++) {
      const a = Math.fround(pos * inv[j]);
      cos[j] = Math.fround(Math.cos(a));
      sin[j] = Math.fround(Math.sin(a));
    }
    for (let h = 0; h < heads; h++) {
      const o = r * width + h * headDim;
      for (let j = 0; j < half; j++) {
        const x1 = x[o + j];
        const x2 = x[o + j + half];
        out[o + j] = x1 * cos[j] - x2 * sin[j];
        out[o + j + half] = x2 * cos[j] + x1 * sin[j];
      }
    }
  }
}

/** Reference RoPE backward (accumulating): the inverse rotation of `dOut` added into `dx`. */
export function ropeBackward(dx: Float32Array, dOut: Float32Array, positions: Int32Array, rows: number, heads: number, headDim: number, theta: number): void {
  const half = headDim / 2;
  const inv = ropeInvFreq(headDim, theta);
  const cos = new Float64Array(half);
  const sin = new Float64Array(half);
  const width = heads * headDim;
  for (let r = 0; r < rows; r++) {
    const pos = positions[r];
    for (let j = 0; j < half; j++) {
      const a = Math.fround(pos * inv[j]);
      cos[j] = Math.fround(Math.cos(a));
      sin[j] = Math.fround(Math.sin(a));
    }
    for (let h = 0; h < heads; h++) {
      const o = r * width + h * headDim;
      for (let j = 0; j < half; j++) {
        const d1 = dOut[o + j];
        const d2 = dOut[o + j + half];
        dx[o + j] += d1 * cos[j] + d2 * sin[j];
        dx[o + j + half] += d2 * cos[j] - d1 * sin[j];
      }
    }
  }
}
