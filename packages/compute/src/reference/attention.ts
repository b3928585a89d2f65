/**
 * Reference causal GQA attention with a key-padding mask (see `AttentionForwardArgs`). Scores and softmax in
 * float64; one scratch row per call.
 */
export function attentionForward(
  out: Float32Array,
  q: Float32Array,
  k: Float32Array,
  v: Float32Array,
  batch: number,
  seqLen: number,
  heads: number,
  kvHeads: number,
  headDim: number,
  keyMask: Uint8Array | undefined,
  probs: Float32Array | undefined,
): void {
  const group = heads / kvHeads;
  const qw = heads * headDim;
  const kw = kvHeads * headDim;
  const scale = 1 / Math.sqrt(headDim);
  const scores = new Float64Array(seqLen);
  const acc = new Float64Array(headDim);
  for (let b = 0; b < batch; b++) {
    for (let h = 0; h < heads; h++) {
      const kh = Math.floor(h / group);
      for (let t = 0; t < seqLen; t++) {
        const qo = (b * seqLen + t) * qw + h * headDim;
        const po = ((b * heads + h) * seqLen + t) * seqLen;
        let max = Number.NEGATIVE_INFINITY;
        for (let s = 0; s <= t; s++) {
          if (keyMask && keyMask[b * seqLen + s] === 0) {
            scores[s] = Number.NEGATIVE_INFINITY;
            continue;
          }
          const ko = (b * seqLen + s) * kw + kh * headDim;
          let d = 0;
          for (let i = 0; i < headDim; i++) d += q[qo + i] * k[ko + i];
          const sc = d * scale;
          scores[s] = sc;
          if (sc > max) max = sc;
        }
        acc.fill(0);
        if (max === Number.NEGATIVE_INFINITY) {
          for (let i = 0; i < headDim; i++) out[qo + i] = 0;
          if (probs) probs.fill(0, po, po + seqLen);
          continue;
        }
        let sum = 0;
        for (let s = 0; s <= t; s++) {
          const e = scores[s] === Number.NEGATIVE_INFINITY ? 0 : Math.exp(scores[s] - max);
          scores[s] = e;
          sum += e;
        }
        for (let s = 0; s <= t; s++) {
          const p = scores[s] / sum;
          if (probs) probs[po + s] = p;
          if (p === 0) continue;
          const vo = (b * seqLen + s) * kw + kh * headDim;
          for (let i = 0; i < headDim; i++) acc[i] += p * v[vo + i];
        }
        if (probs) probs.fill(0, po + t + 1, po + seqLen);
        for (let i = 0; i < headDim; i++) out[qo + i] = acc[i];
      }
    }
  }
}

/**
 * Reference attention backward from the saved probabilities (accumulating into dq, dk, dv):
 * `dv[s] += Σ_t p[t,s]·dOut[t]`, `ds[t,s] = p[t,s]·(dOut[t]·v[s] − Σ_s' p[t,s']·dOut[t]·v[s'])`,
 * `dq[t] += scale·Σ_s ds[t,s]·k[s]`, `dk[s] += scale·Σ_t ds[t,s]·q[t]`.
 */
export function attentionBackward(
  dOut: Float32Array,
  q: Float32Array,
  k: Float32Array,
  v: Float32Array,
  probs: Float32Array,
  dq: Float32Array,
  dk: Float32Array,
  dv: Float32Array,
  batch: number,
  seqLen: number,
  heads: number,
  kvHeads: number,
  headDim: number,
): void {
  const group = heads / kvHeads;
  const qw = heads * headDim;
  const kw = kvHeads * headDim;
  const scale = 1 / Math.sqrt(headDim);
  const dp = new Float64Array(seqLen);
  for (let b = 0; b < batch; b++) {
    for (let h = 0; h < heads; h++) {
      const kh = Math.floor(h / group);
      for (let t = 0; t < seqLen; t++) {
        const qo = (b * seqLen + t) * qw + h * headDim;
        const po = ((b * heads + h) * seqLen + t) * seqLen;
        let sum = 0;
        for (let s = 0; s <= t; s++) {
          const p = probs[po + s];
          if (p === 0) {
            dp[s] = 0;
            continue;
          }
          const vo = (b * seqLen + s) * kw + kh * headDim;
          let d = 0;
          for (let i = 0; i < headDim; i++) {
            d += dOut[qo + i] * v[vo + i];
            dv[vo + i] += p * dOut[qo + i];
          }
          dp[s] = d;
          sum += p * d;
        }
        for (let s = 0; s <= t; s++) {
          const p = probs[po + s];
          if (p === 0) continue;
          const ds = p * (dp[s] - sum) * scale;
          const ko = (b * seqLen + s) * kw + kh * headDim;
          for (let i = 0; i < headDim; i++) {
            dq[qo + i] += ds * k[ko + i];
            dk[ko + i] += ds * q[qo + i];
          }
        }
      }
    }
  }
}
