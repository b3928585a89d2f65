/** Reference SwiGLU: `out = silu(gate) · up`. */
export function swigluForward(out: Float32Array, gate: Float32Array, up: Float32Array, length: number): void {
  for (let i = 0; i < length; i++) {
    const g = gate[i];
    out[i] = (g / (1 + Math.exp(-g))) * up[i];
  }
}

/** Reference residual add: `out = a + b`. */
export function residualForward(out: Float32Array, a: Float32Array, b: Float32Array, length: number): void {
  for (let i = 0; i < length; i++) out[i] = a[i] + b[i];
}
