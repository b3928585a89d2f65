import type { Backend, DeviceBuffer } from "@sentrl/compute";
import { type Attend, type BlockBuffers, blockForward } from "./block.js";
import type { ModelConfig } from "./config.js";

/** Handles of one layer's parameters (or of their gradients). */
export interface LayerRefs {
  ln1: DeviceBuffer;
  wq: DeviceBuffer;
  bq?: DeviceBuffer;
  wk: DeviceBuffer;
  bk?: DeviceBuffer;
  wv: DeviceBuffer;
  bv?: DeviceBuffer;
  wo: DeviceBuffer;
  ln2: DeviceBuffer;
  wg: DeviceBuffer;
  wu: DeviceBuffer;
  wd: DeviceBuffer;
}

/** Handles of every parameter (or gradient), resolved once from the Hugging Face names. */
export interface ModelRefs {
  embed: DeviceBuffer;
  layers: LayerRefs[];
  norm: DeviceBuffer;
  /** The LM head: the embedding buffer itself when embeddings are tied. */
  head: DeviceBuffer;
}

/** Resolves `ModelRefs` through `get(name)`. */
export function resolveRefs(cfg: ModelConfig, get: (name: string) => DeviceBuffer): ModelRefs {
  const bias = (n: string) => (cfg.attentionBias ? get(n) : undefined);
  const layers: LayerRefs[] = [];
  for (let l = 0; l < cfg.numLayers; l++) {
    const p = `model.layers.${l}.`;
    layers.push({
      ln1: get(`${p}input_layernorm.weight`),
      wq: get(`${p}self_attn.q_proj.weight`),
      bq: bias(`${p}self_attn.q_proj.bias`),
      wk: get(`${p}self_attn.k_proj.weight`),
      bk: bias(`${p}self_attn.k_proj.bias`),
      wv: get(`${p}self_attn.v_proj.weight`),
      bv: bias(`${p}self_attn.v_proj.bias`),
      wo: get(`${p}self_attn.o_proj.weight`),
      ln2: get(`${p}post_attention_layernorm.weight`),
      wg: get(`${p}mlp.gate_proj.weight`),
      wu: get(`${p}mlp.up_proj.weight`),
      wd: get(`${p}mlp.down_proj.weight`),
    });
  }
  const embed = get("model.embed_tokens.weight");
  return { embed, layers, norm: get("model.norm.weight"), head: cfg.tieWordEmbeddings ? embed : get("lm_head.weight") };
}

/** A right-padded batch: token ids, positions from 0 per row, key mask (1 = real token), next-token targets (−1 = none). */
export interface PaddedBatch {
  batch: number;
  seqLen: number;
  rows: number;
  lengths: number[];
  ids: Int32Array;
  positions: Int32Array;
  keyMask: Uint8Array;
  targets: Int32Array;
}

/** Pads `rows` on the right to the longest row. */
export function padBatch(rows: number[][]): PaddedBatch {
  const B = rows.length;
  const T = Math.max(1, ...rows.map((r) => r.length));
  const N = B * T;
  const ids = new Int32Array(N);
  const positions = new Int32Array(N);
  const keyMask = new Uint8Array(N);
  const targets = new Int32Array(N).fill(-1);
  rows.forEach((r, b) => {
    for (let t = 0; t < T; t++) {
      const i = b * T + t;
      positions[i] = t;
      if (t < r.length) {
        ids[i] = r[t];
        keyMask[i] = 1;
        if (t + 1 < r.length) targets[i] = r[t + 1];
      }
    }
  });
  return { batch: B, seqLen: T, rows: N, lengths: rows.map((r) => r.length), ids, positions, keyMask, targets };
}

/** A training block's buffers (every intermediate kept for backward) and its attention probabilities. */
interface LayerActs extends BlockBuffers {
  rstd1: DeviceBuffer;
  rstd2: DeviceBuffer;
  probs: DeviceBuffer;
}

/** Everything a training forward pass keeps for backward, plus its outputs (`logp`, `entropy`, `[rows]`). */
export interface Activations {
  input: PaddedBatch;
  temperature: number;
  layers: LayerActs[];
  xOut: DeviceBuffer;
  rstdF: DeviceBuffer;
  hnF: DeviceBuffer;
  logp: DeviceBuffer;
  entropy: DeviceBuffer;
  lse: DeviceBuffer;
  buffers: DeviceBuffer[];
}

/** The training forward pass (llm.c style: every intermediate in its own buffer). */
export function forwardTrain(be: Backend, cfg: ModelConfig, P: ModelRefs, input: PaddedBatch, temperature: number): Activations {
  const { hiddenSize: H, intermediateSize: I, numHeads: nh, numKvHeads: nkv, headDim: hd, vocabSize: V, rmsNormEps: eps } = cfg;
  const { batch: B, seqLen: T, rows: N, ids, positions, keyMask, targets } = input;
  const buffers: DeviceBuffer[] = [];
  const alloc = (n: number) => {
    const b = be.alloc(n);
    buffers.push(b);
    return b;
  };
  try {
    let x = alloc(N * H);
    be.embeddingForward({ out: x, table: P.embed, ids, rows: N, dim: H, vocab: V });
    const layers: LayerActs[] = [];
    const proj = alloc(N * H); // scratch shared by the layers (backward does not read it)
    for (const L of P.layers) {
      const a: LayerActs = {
        x,
        rstd1: alloc(N),
        hn1: alloc(N * H),
        q: alloc(N * nh * hd),
        k: alloc(N * nkv * hd),
        v: alloc(N * nkv * hd),
        probs: alloc(B * nh * T * T),
        att: alloc(N * nh * hd),
        proj,
        xMid: alloc(N * H),
        rstd2: alloc(N),
        hn2: alloc(N * H),
        gate: alloc(N * I),
        up: alloc(N * I),
        act: alloc(N * I),
        xOut: alloc(N * H),
      };
      const attend: Attend = (_l, q, k, v, att) => be.attentionForward({ out: att, q, k, v, batch: B, seqLen: T, heads: nh, kvHeads: nkv, headDim: hd, keyMask, probs: a.probs });
      blockForward(be, cfg, L, layers.length, a, N, positions, attend);
      layers.push(a);
      x = a.xOut;
    }
    const rstdF = alloc(N);
    const hnF = alloc(N * H);
    const logp = alloc(N);
    const entropy = alloc(N);
    const lse = alloc(N);
    be.rmsnormForward({ out: hnF, x, weight: P.norm, rows: N, dim: H, eps, rstd: rstdF });
    be.logitsStatsForward({ logp, entropy, lse, h: hnF, w: P.head, targets, rows: N, dim: H, vocab: V, temperature });
    return { input, temperature, layers, xOut: x, rstdF, hnF, logp, entropy, lse, buffers };
  } catch (e) {
    for (const b of buffers) be.free(b);
    throw e;
  }
}

/**
 * The training backward pass: from `dLogp`/`dEntropy` (`[rows]`, padded layout) back to every parameter,
 * accumulating into the gradient buffers `G` (tied embeddings accumulate both uses into one buffer).
 */
export function backwardTrain(be: Backend, cfg: ModelConfig, P: ModelRefs, G: ModelRefs, acts: Activations, dLogp: DeviceBuffer, dEntropy: DeviceBuffer | undefined): void {
  const { hiddenSize: H, intermediateSize: I, numHeads: nh, numKvHeads: nkv, headDim: hd, vocabSize: V, ropeTheta: theta } = cfg;
  const { batch: B, seqLen: T, rows: N, ids, positions, targets } = acts.input;
  const tmp: DeviceBuffer[] = [];
  const alloc = (n: number) => {
    const b = be.alloc(n);
    tmp.push(b);
    return b;
  };
  const zero = (...bs: DeviceBuffer[]) => {
    for (const b of bs) be.fill(b, 0);
  };
  try {
    const dx = alloc(N * H);
    const dhn = alloc(N * H);
    const dAtt = alloc(N * nh * hd);
    const dq = alloc(N * nh * hd);
    const dqPre = alloc(N * nh * hd);
    const dk = alloc(N * nkv * hd);
    const dkPre = alloc(N * nkv * hd);
    const dv = alloc(N * nkv * hd);
    const dAct = alloc(N * I);
    const dGate = alloc(N * I);
    const dUp = alloc(N * I);
    be.logitsStatsBackward({ h: acts.hnF, w: P.head, targets, lse: acts.lse, entropy: acts.entropy, dLogp, dEntropy, dh: dhn, dw: G.head, rows: N, dim: H, vocab: V, temperature: acts.temperature });
    be.rmsnormBackward({ dOut: dhn, x: acts.xOut, weight: P.norm, rstd: acts.rstdF, dx, dWeight: G.norm, rows: N, dim: H });
    for (let l = cfg.numLayers - 1; l >= 0; l--) {
      const L = P.layers[l];
      const g = G.layers[l];
      const a = acts.layers[l];
      // MLP: xOut = xMid + down(silu(gate(hn2)) · up(hn2)), hn2 = rmsnorm(xMid).
      zero(dAct, dGate, dUp, dhn);
      be.matmulBackward({ dOut: dx, x: a.act, w: L.wd, dx: dAct, dw: g.wd, rows: N, inDim: I, outDim: H });
      be.swigluBackward({ dOut: dAct, gate: a.gate, up: a.up, dGate, dUp, length: N * I });
      be.matmulBackward({ dOut: dGate, x: a.hn2, w: L.wg, dx: dhn, dw: g.wg, rows: N, inDim: H, outDim: I });
      be.matmulBackward({ dOut: dUp, x: a.hn2, w: L.wu, dx: dhn, dw: g.wu, rows: N, inDim: H, outDim: I });
      be.rmsnormBackward({ dOut: dhn, x: a.xMid, weight: L.ln2, rstd: a.rstd2, dx, dWeight: g.ln2, rows: N, dim: H });
      // Attention: xMid = xIn + o_proj(attn(rope(q), rope(k), v)), q/k/v from hn1 = rmsnorm(xIn).
      zero(dAtt, dq, dk, dv, dqPre, dkPre, dhn);
      be.matmulBackward({ dOut: dx, x: a.att, w: L.wo, dx: dAtt, dw: g.wo, rows: N, inDim: nh * hd, outDim: H });
      be.attentionBackward({ dOut: dAtt, q: a.q, k: a.k, v: a.v, probs: a.probs, dq, dk, dv, batch: B, seqLen: T, heads: nh, kvHeads: nkv, headDim: hd });
      be.ropeBackward({ dOut: dq, dx: dqPre, positions, rows: N, heads: nh, headDim: hd, theta });
      be.ropeBackward({ dOut: dk, dx: dkPre, positions, rows: N, heads: nkv, headDim: hd, theta });
      be.matmulBackward({ dOut: dqPre, x: a.hn1, w: L.wq, dx: dhn, dw: g.wq, dBias: g.bq, rows: N, inDim: H, outDim: nh * hd });
      be.matmulBackward({ dOut: dkPre, x: a.hn1, w: L.wk, dx: dhn, dw: g.wk, dBias: g.bk, rows: N, inDim: H, outDim: nkv * hd });
      be.matmulBackward({ dOut: dv, x: a.hn1, w: L.wv, dx: dhn, dw: g.wv, dBias: g.bv, rows: N, inDim: H, outDim: nkv * hd });
      be.rmsnormBackward({ dOut: dhn, x: a.x, weight: L.ln1, rstd: a.rstd1, dx, dWeight: g.ln1, rows: N, dim: H });
    }
    be.embeddingBackward({ dTable: G.embed, dOut: dx, ids, rows: N, dim: H, vocab: V });
  } finally {
    for (const b of tmp) be.free(b);
  }
}

/** Frees a forward pass's buffers. */
export function releaseActivations(be: Backend, acts: Activations): void {
  for (const b of acts.buffers) be.free(b);
  acts.buffers.length = 0;
}
