/** Inputs of the oracles: float32 values from a backend or float64 values perturbed by finite differences. */
export type Vec = Float32Array | Float64Array;

/**
 * Float64 oracles for the conformance suite, written independently of the reference kernels (full
 * materialisation, explicit masks, sorts) so that the reference backend is checked too.
 */

export function matmulOracle(x: Vec, w: Vec, bias: Vec | undefined, rows: number, inDim: number, outDim: number): Float64Array {
  const out = new Float64Array(rows * outDim);
  for (let r = 0; r < rows; r++)
    for (let o = 0; o < outDim; o++) {
      let s = bias ? bias[o] : 0;
      for (let i = 0; i < inDim; i++) s += x[r * inDim + i] * w[o * inDim + i];
      out[r * outDim + o] = s;
    }
  return out;
}

export function rmsnormOracle(x: Vec, weight: Vec, rows: number, dim: number, eps: number): { out: Float64Array; rstd: Float64Array } {
  const out = new Float64Array(rows * dim);
  const rstd = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    const row = Array.from(x.subarray(r * dim, (r + 1) * dim));
    const ms = row.reduce((a, v) => a + v * v, 0) / dim;
    rstd[r] = 1 / Math.sqrt(ms + eps);
    row.forEach((v, i) => {
      out[r * dim + i] = v * rstd[r] * weight[i];
    });
  }
  return { out, rstd };
}

export function ropeOracle(x: Vec, positions: Int32Array, rows: number, heads: number, headDim: number, theta: number): Float64Array {
  const out = new Float64Array(x.length);
  const half = headDim / 2;
  for (let r = 0; r < rows; r++)
    for (let h = 0; h < heads; h++)
      for (let d = 0; d < headDim; d++) {
        const j = d % half;
        const invFreq = Math.fround(1 / theta ** Math.fround((2 * j) / headDim));
        const angle = Math.fround(positions[r] * invFreq);
        const base = r * heads * headDim + h * headDim;
        const rot = d < half ? -x[base + d + half] : x[base + d - half];
        out[base + d] = x[base + d] * Math.cos(angle) + rot * Math.sin(angle);
      }
  return out;
}

export function attentionOracle(
  q: Vec,
  k: Vec,
  v: Vec,
  batch: number,
  seqLen: number,
  heads: number,
  kvHeads: number,
  headDim: number,
  keyMask: Uint8Array | undefined,
): { out: Float64Array; probs: Float64Array } {
  const out = new Float64Array(batch * seqLen * heads * headDim);
  const probs = new Float64Array(batch * heads * seqLen * seqLen);
  const rep = heads / kvHeads;
  for (let b = 0; b < batch; b++)
    for (let h = 0; h < heads; h++) {
      const kh = Math.floor(h / rep);
      for (let t = 0; t < seqLen; t++) {
        const visible: number[] = [];
        for (let s = 0; s < seqLen; s++) if (s <= t && (!keyMask || keyMask[b * seqLen + s] === 1)) visible.push(s);
        if (visible.length === 0) continue;
        const sc = visible.map((s) => {
          let d = 0;
          for (let i = 0; i < headDim; i++) d += q[(b * seqLen + t) * heads * headDim + h * headDim + i] * k[(b * seqLen + s) * kvHeads * headDim + kh * headDim + i];
          return d / Math.sqrt(headDim);
        });
        const m = Math.max(...sc);
        const e = sc.map((x) => Math.exp(x - m));
        const z = e.reduce((a, x) => a + x, 0);
        visible.forEach((s, n) => {
          const p = e[n] / z;
          probs[((b * heads + h) * seqLen + t) * seqLen + s] = p;
          for (let i = 0; i < headDim; i++) out[(b * seqLen + t) * heads * headDim + h * headDim + i] += p * v[(b * seqLen + s) * kvHeads * headDim + kh * headDim + i];
        });
      }
    }
  return { out, probs };
}

export function logitsStatsOracle(
  h: Vec,
  w: Vec,
  targets: Int32Array,
  rows: number,
  dim: number,
  vocab: number,
  temperature: number,
): { logp: Float64Array; entropy: Float64Array; lse: Float64Array } {
  const logp = new Float64Array(rows);
  const entropy = new Float64Array(rows);
  const lse = new Float64Array(rows);
  const z = new Float64Array(vocab);
  for (let r = 0; r < rows; r++) {
    if (targets[r] < 0) continue;
    let m = Number.NEGATIVE_INFINITY;
    for (let j = 0; j < vocab; j++) {
      let d = 0;
      for (let i = 0; i < dim; i++) d += h[r * dim + i] * w[j * dim + i];
      z[j] = d / temperature;
      m = Math.max(m, z[j]);
    }
    let s = 0;
    for (let j = 0; j < vocab; j++) s += Math.exp(z[j] - m);
    const l = m + Math.log(s);
    let H = 0;
    for (let j = 0; j < vocab; j++) {
      const lp = z[j] - l;
      H -= Math.exp(lp) * lp;
    }
    lse[r] = l;
    logp[r] = z[targets[r]] - l;
    entropy[r] = H;
  }
  return { logp, entropy, lse };
}

export function sampleOracle(logits: Vec, vocab: number, u: number, temperature: number, topK: number, topP: number): number {
  if (temperature === 0) {
    let best = 0;
    for (let j = 1; j < vocab; j++) if (logits[j] > logits[best]) best = j;
    return best;
  }
  const z = Array.from(logits.subarray(0, vocab), (x) => x / temperature);
  const m = Math.max(...z);
  const p = z.map((x) => Math.exp(x - m));
  let order = z.map((_, j) => j);
  const filtered = (topK > 0 && topK < vocab) || topP < 1;
  if (filtered) {
    order.sort((a, b) => z[b] - z[a] || a - b);
    if (topK > 0 && topK < vocab) order = order.slice(0, topK);
    if (topP < 1) {
      const total = order.reduce((a, j) => a + p[j], 0);
      let acc = 0;
      let n = 0;
      while (n < order.length) {
        acc += p[order[n]];
        n++;
        if (acc >= topP * total) break;
      }
      order = order.slice(0, n);
    }
  }
  const sum = order.reduce((a, j) => a + p[j], 0);
  let acc = 0;
  for (const j of order) {
    acc += p[j];
    if (acc > u * sum) return j;
  }
  return order[order.length - 1];
}

export function adamwOracle(
  params: Float64Array[],
  grads: Float64Array[],
  ms: Float64Array[],
  vs: Float64Array[],
  o: { lr: number; beta1: number; beta2: number; eps: number; weightDecay: number[]; step: number; maxGradNorm?: number },
): { gradNorm: number } {
  let ss = 0;
  for (const g of grads) for (const x of g) ss += x * x;
  const gradNorm = Math.sqrt(ss);
  const coef = o.maxGradNorm && Number.isFinite(o.maxGradNorm) ? Math.min(1, o.maxGradNorm / (gradNorm + 1e-6)) : 1;
  params.forEach((p, t) => {
    for (let i = 0; i < p.length; i++) {
      const g = grads[t][i] * coef;
      p[i] -= o.lr * o.weightDecay[t] * p[i];
      ms[t][i] = o.beta1 * ms[t][i] + (1 - o.beta1) * g;
      vs[t][i] = o.beta2 * vs[t][i] + (1 - o.beta2) * g * g;
      const mh = ms[t][i] / (1 - o.beta1 ** o.step);
      const vh = vs[t][i] / (1 - o.beta2 ** o.step);
      p[i] -= (o.lr * mh) / (Math.sqrt(vh) + o.eps);
    }
  });
  return { gradNorm };
}
