// Plain float64 TypeScript references for every native kernel (written from the formulas, no blocking, no tricks).

/** y[r, o] = Σ_i x[r, i]·w[o, i] (+ bias[o]) */
export function refMatmul(
  x: ArrayLike<number>,
  w: ArrayLike<number>,
  bias: ArrayLike<number> | null,
  rows: number,
  inDim: number,
  outDim: number,
): Float64Array {
  const y = new Float64Array(rows * outDim);
  for (let r = 0; r < rows; r++)
    for (let o = 0; o < outDim; o++) {
      let s = bias ? bias[o] : 0;
      for (let i = 0; i < inDim; i++) s += x[r * inDim + i] * w[o * inDim + i];
      y[r * outDim + o] = s;
    }
  return y;
}

/** dx[r, i] = Σ_o dy[r, o]·w[o, i] */
export function refMatmulDx(
  dy: ArrayLike<number>,
  w: ArrayLike<number>,
  rows: number,
  inDim: number,
  outDim: number,
): Float64Array {
  const dx = new Float64Array(rows * inDim);
  for (let r = 0; r < rows; r++)
    for (let o = 0; o < outDim; o++) {
      const g = dy[r * outDim + o];
      for (let i = 0; i < inDim; i++) dx[r * inDim + i] += g * w[o * inDim + i];
    }
  return dx;
}

/** dw[o, i] = Σ_r dy[r, o]·x[r, i] */
export function refMatmulDw(
  dy: ArrayLike<number>,
  x: ArrayLike<number>,
  rows: number,
  inDim: number,
  outDim: number,
): Float64Array {
  const dw = new Float64Array(outDim * inDim);
  for (let r = 0; r < rows; r++)
    for (let o = 0; o < outDim; o++) {
      const g = dy[r * outDim + o];
      for (let i = 0; i < inDim; i++) dw[o * inDim + i] += g * x[r * inDim + i];
    }
  return dw;
}

export interface RefLogits {
  logp: Float64Array;
  entropy: Float64Array;
  lse: Float64Array;
}

/** Materialised logits z = h·wᵀ/T, log-softmax, entropy; rows with target < 0 get 0. */
export function refLogitsForward(
  h: ArrayLike<number>,
  w: ArrayLike<number>,
  targets: Int32Array,
  rows: number,
  dim: number,
  vocab: number,
  temperature: number,
): RefLogits {
  const z = refMatmul(h, w, null, rows, dim, vocab);
  const out: RefLogits = { logp: new Float64Array(rows), entropy: new Float64Array(rows), lse: new Float64Array(rows) };
  for (let r = 0; r < rows; r++) {
    if (targets[r] < 0) continue;
    let m = Number.NEGATIVE_INFINITY;
    for (let v = 0; v < vocab; v++) m = Math.max(m, z[r * vocab + v] / temperature);
    let s = 0;
    for (let v = 0; v < vocab; v++) s += Math.exp(z[r * vocab + v] / temperature - m);
    const lse = m + Math.log(s);
    let ent = 0;
    for (let v = 0; v < vocab; v++) {
      const lp = z[r * vocab + v] / temperature - lse;
      ent -= Math.exp(lp) * lp;
    }
    out.lse[r] = lse;
    out.entropy[r] = ent;
    out.logp[r] = z[r * vocab + targets[r]] / temperature - lse;
  }
  return out;
}

/** g = (1/T)[dlogp·(onehot − p) − dent·p⊙(log p + H)] ; dh = g·w ; dw = gᵀ·h */
export function refLogitsBackward(
  h: ArrayLike<number>,
  w: ArrayLike<number>,
  targets: Int32Array,
  dlogp: ArrayLike<number>,
  dent: ArrayLike<number>,
  rows: number,
  dim: number,
  vocab: number,
  temperature: number,
): { dh: Float64Array; dw: Float64Array } {
  const fwd = refLogitsForward(h, w, targets, rows, dim, vocab, temperature);
  const z = refMatmul(h, w, null, rows, dim, vocab);
  const g = new Float64Array(rows * vocab);
  for (let r = 0; r < rows; r++) {
    if (targets[r] < 0) continue;
    for (let v = 0; v < vocab; v++) {
      const lp = z[r * vocab + v] / temperature - fwd.lse[r];
      const p = Math.exp(lp);
      const onehot = v === targets[r] ? 1 : 0;
      g[r * vocab + v] = (dlogp[r] * (onehot - p) - dent[r] * p * (lp + fwd.entropy[r])) / temperature;
    }
  }
  return { dh: refMatmulDx(g, w, rows, dim, vocab), dw: refMatmulDw(g, h, rows, dim, vocab) };
}

export function refRmsnorm(
  x: ArrayLike<number>,
  weight: ArrayLike<number>,
  rows: number,
  dim: number,
  eps: number,
): { out: Float64Array; rstd: Float64Array } {
  const out = new Float64Array(rows * dim);
  const rstd = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let ss = 0;
    for (let i = 0; i < dim; i++) ss += x[r * dim + i] ** 2;
    rstd[r] = 1 / Math.sqrt(ss / dim + eps);
    for (let i = 0; i < dim; i++) out[r * dim + i] = x[r * dim + i] * rstd[r] * weight[i];
  }
  return { out, rstd };
}

export function refRmsnormBackward(
  dout: ArrayLike<number>,
  x: ArrayLike<number>,
  weight: ArrayLike<number>,
  rows: number,
  dim: number,
  eps: number,
): { dx: Float64Array; dweight: Float64Array } {
  const { rstd } = refRmsnorm(x, weight, rows, dim, eps);
  const dx = new Float64Array(rows * dim);
  const dweight = new Float64Array(dim);
  for (let r = 0; r < rows; r++) {
    let dot = 0;
    for (let i = 0; i < dim; i++) {
      const xh = x[r * dim + i] * rstd[r];
      dot += dout[r * dim + i] * weight[i] * xh;
      dweight[i] += dout[r * dim + i] * xh;
    }
    for (let i = 0; i < dim; i++) {
      const xh = x[r * dim + i] * rstd[r];
      dx[r * dim + i] = rstd[r] * (dout[r * dim + i] * weight[i] - (xh * dot) / dim);
    }
  }
  return { dx, dweight };
}

const sigmoid = (g: number): number => 1 / (1 + Math.exp(-g));

export function refSwiglu(gate: ArrayLike<number>, up: ArrayLike<number>): Float64Array {
  const out = new Float64Array(gate.length);
  for (let i = 0; i < gate.length; i++) out[i] = gate[i] * sigmoid(gate[i]) * up[i];
  return out;
}

export function refSwigluBackward(
  dout: ArrayLike<number>,
  gate: ArrayLike<number>,
  up: ArrayLike<number>,
): { dgate: Float64Array; dup: Float64Array } {
  const dgate = new Float64Array(gate.length);
  const dup = new Float64Array(gate.length);
  for (let i = 0; i < gate.length; i++) {
    const s = sigmoid(gate[i]);
    dgate[i] = dout[i] * up[i] * (s + gate[i] * s * (1 - s));
    dup[i] = dout[i] * gate[i] * s;
  }
  return { dgate, dup };
}

export interface AttentionShape {
  batch: number;
  seqLen: number;
  heads: number;
  kvHeads: number;
  headDim: number;
}

/** Causal GQA attention; returns the output and the probabilities [batch, heads, seqLen, seqLen]. */
export function refAttention(
  q: ArrayLike<number>,
  k: ArrayLike<number>,
  v: ArrayLike<number>,
  mask: Uint8Array | null,
  s: AttentionShape,
): { out: Float64Array; probs: Float64Array } {
  const { batch, seqLen: T, heads, kvHeads, headDim: hd } = s;
  const group = heads / kvHeads;
  const out = new Float64Array(batch * T * heads * hd);
  const probs = new Float64Array(batch * heads * T * T);
  const qi = (b: number, t: number, h: number) => ((b * T + t) * heads + h) * hd;
  const ki = (b: number, t: number, h: number) => ((b * T + t) * kvHeads + h) * hd;
  for (let b = 0; b < batch; b++)
    for (let h = 0; h < heads; h++)
      for (let t = 0; t < T; t++) {
        const kh = Math.floor(h / group);
        const sc: number[] = [];
        let m = Number.NEGATIVE_INFINITY;
        for (let j = 0; j <= t; j++) {
          if (mask && !mask[b * T + j]) {
            sc.push(Number.NEGATIVE_INFINITY);
            continue;
          }
          let d = 0;
          for (let i = 0; i < hd; i++) d += q[qi(b, t, h) + i] * k[ki(b, j, kh) + i];
          sc.push(d / Math.sqrt(hd));
          m = Math.max(m, d / Math.sqrt(hd));
        }
        if (m === Number.NEGATIVE_INFINITY) continue;
        let sum = 0;
        for (let j = 0; j <= t; j++) sum += sc[j] === Number.NEGATIVE_INFINITY ? 0 : Math.exp(sc[j] - m);
        for (let j = 0; j <= t; j++) {
          const p = sc[j] === Number.NEGATIVE_INFINITY ? 0 : Math.exp(sc[j] - m) / sum;
          probs[((b * heads + h) * T + t) * T + j] = p;
          for (let i = 0; i < hd; i++) out[qi(b, t, h) + i] += p * v[ki(b, j, kh) + i];
        }
      }
  return { out, probs };
}

export function refAttentionBackward(
  dout: ArrayLike<number>,
  q: ArrayLike<number>,
  k: ArrayLike<number>,
  v: ArrayLike<number>,
  mask: Uint8Array | null,
  s: AttentionShape,
): { dq: Float64Array; dk: Float64Array; dv: Float64Array } {
  const { batch, seqLen: T, heads, kvHeads, headDim: hd } = s;
  const group = heads / kvHeads;
  const { probs } = refAttention(q, k, v, mask, s);
  const dq = new Float64Array(q.length);
  const dk = new Float64Array(k.length);
  const dv = new Float64Array(v.length);
  const qi = (b: number, t: number, h: number) => ((b * T + t) * heads + h) * hd;
  const ki = (b: number, t: number, h: number) => ((b * T + t) * kvHeads + h) * hd;
  const scale = 1 / Math.sqrt(hd);
  for (let b = 0; b < batch; b++)
    for (let h = 0; h < heads; h++)
      for (let t = 0; t < T; t++) {
        const kh = Math.floor(h / group);
        const p = (j: number) => probs[((b * heads + h) * T + t) * T + j];
        const dp: number[] = [];
        let sum = 0;
        for (let j = 0; j <= t; j++) {
          let d = 0;
          for (let i = 0; i < hd; i++) d += dout[qi(b, t, h) + i] * v[ki(b, j, kh) + i];
          dp.push(d);
          sum += p(j) * d;
          for (let i = 0; i < hd; i++) dv[ki(b, j, kh) + i] += p(j) * dout[qi(b, t, h) + i];
        }
        for (let j = 0; j <= t; j++) {
          const ds = p(j) * (dp[j] - sum) * scale;
          for (let i = 0; i < hd; i++) {
            dq[qi(b, t, h) + i] += ds * k[ki(b, j, kh) + i];
            dk[ki(b, j, kh) + i] += ds * q[qi(b, t, h) + i];
          }
        }
      }
  return { dq, dk, dv };
}
