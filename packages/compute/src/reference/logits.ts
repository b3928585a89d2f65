import { ComputeError } from "../errors.js";

/** Vocabulary chunk width of the reference fused head (logits for one row, this many at a time). */
export const LOGITS_CHUNK = 4096;

/**
 * Reference fused head: per row, logits `z = h·w^T / T` over vocabulary chunks with an online (max-shifted)
 * logsumexp and entropy in float64; never holds more than one chunk of logits.
 */
export function logitsStatsForward(
  logp: Float32Array,
  entropy: Float32Array,
  h: Float32Array,
  w: Float32Array,
  targets: Int32Array,
  rows: number,
  dim: number,
  vocab: number,
  temperature: number,
  lse: Float32Array | undefined,
): void {
  if (!(temperature > 0) || !Number.isFinite(temperature)) throw new ComputeError("BACKEND_BAD_ARGUMENT", `logitsStatsForward: temperature must be a positive finite number, got ${temperature}`);
  const chunk = new Float64Array(Math.min(LOGITS_CHUNK, vocab));
  const invT = 1 / temperature;
  for (let r = 0; r < rows; r++) {
    const y = targets[r];
    if (y < 0) {
      logp[r] = 0;
      entropy[r] = 0;
      if (lse) lse[r] = 0;
      continue;
    }
    if (y >= vocab) throw new ComputeError("BACKEND_INDEX_OUT_OF_RANGE", `logitsStatsForward: target ${y} at row ${r} is outside [0, ${vocab})`);
    const ho = r * dim;
    let m = Number.NEGATIVE_INFINITY;
    let s = 0; // Σ exp(z − m)
    let t = 0; // Σ exp(z − m)·z
    let zy = 0;
    for (let c0 = 0; c0 < vocab; c0 += chunk.length) {
      const n = Math.min(chunk.length, vocab - c0);
      let cm = Number.NEGATIVE_INFINITY;
      for (let j = 0; j < n; j++) {
        const wo = (c0 + j) * dim;
        let d = 0;
        for (let i = 0; i < dim; i++) d += h[ho + i] * w[wo + i];
        const z = Math.fround(d) * invT;
        chunk[j] = z;
        if (z > cm) cm = z;
      }
      if (y >= c0 && y < c0 + n) zy = chunk[y - c0];
      if (cm > m) {
        const f = m === Number.NEGATIVE_INFINITY ? 0 : Math.exp(m - cm);
        s *= f;
        t *= f;
        m = cm;
      }
      for (let j = 0; j < n; j++) {
        const e = Math.exp(chunk[j] - m);
        s += e;
        t += e * chunk[j];
      }
    }
    const l = m + Math.log(s);
    logp[r] = zy - l;
    entropy[r] = l - t / s;
    if (lse) lse[r] = l;
  }
}

/**
 * Reference fused-head backward (accumulating into dh, dw): recomputes each vocabulary chunk's logits, turns
 * `dLogp`/`dEntropy` into `dz = dLogp·(onehot(y) − p) − dEntropy·p ⊙ (log p + H)` and back-propagates `dz / T`.
 */
export function logitsStatsBackward(
  h: Float32Array,
  w: Float32Array,
  targets: Int32Array,
  lse: Float32Array,
  entropy: Float32Array,
  dLogp: Float32Array,
  dEntropy: Float32Array | undefined,
  dh: Float32Array | undefined,
  dw: Float32Array | undefined,
  rows: number,
  dim: number,
  vocab: number,
  temperature: number,
): void {
  const invT = 1 / temperature;
  const dhRow = new Float64Array(dim);
  for (let r = 0; r < rows; r++) {
    const y = targets[r];
    if (y < 0) continue;
    if (y >= vocab) throw new ComputeError("BACKEND_INDEX_OUT_OF_RANGE", `logitsStatsBackward: target ${y} at row ${r} is outside [0, ${vocab})`);
    const gl = dLogp[r];
    const ge = dEntropy ? dEntropy[r] : 0;
    if (gl === 0 && ge === 0) continue;
    const ho = r * dim;
    const l = lse[r];
    const H = entropy[r];
    dhRow.fill(0);
    for (let j = 0; j < vocab; j++) {
      const wo = j * dim;
      let d = 0;
      for (let i = 0; i < dim; i++) d += h[ho + i] * w[wo + i];
      const lp = Math.fround(d) * invT - l;
      const p = Math.exp(lp);
      let dz = -gl * p - ge * p * (lp + H);
      if (j === y) dz += gl;
      if (dz === 0) continue;
      dz *= invT;
      for (let i = 0; i < dim; i++) dhRow[i] += dz * w[wo + i];
      if (dw) for (let i = 0; i < dim; i++) dw[wo + i] += dz * h[ho + i];
    }
    if (dh) for (let i = 0; i < dim; i++) dh[ho + i] += dhRow[i];
  }
}
