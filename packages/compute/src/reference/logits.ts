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
