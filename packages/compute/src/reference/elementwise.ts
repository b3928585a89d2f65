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

/** Reference SwiGLU backward (accumulating): `silu'(g) = σ(g)·(1 + g·(1 − σ(g)))`. */
export function swigluBackward(dOut: Float32Array, gate: Float32Array, up: Float32Array, dGate: Float32Array, dUp: Float32Array, length: number): void {
  for (let i = 0; i < length; i++) {
    const g = gate[i];
    const s = 1 / (1 + Math.exp(-g));
    dGate[i] += dOut[i] * up[i] * s * (1 + g * (1 - s));
    dUp[i] += dOut[i] * g * s;
  }
}

/** Reference residual backward (accumulating): `da += dOut`, `db += dOut`. */
export function residualBackward(dOut: Float32Array, da: Float32Array | undefined, db: Float32Array | undefined, length: number): void {
  for (let i = 0; i < length; i++) {
    if (da) da[i] += dOut[i];
    if (db) db[i] += dOut[i];
  }
}
