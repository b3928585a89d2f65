import type { Backend, DeviceBuffer } from "@sentrl/compute";
import type { ModelConfig } from "./config.js";
import type { LayerRefs } from "./graph.js";

/**
 * The buffers of one transformer block's forward pass over `rows` token positions (docs/algorithms.md §15):
 * `xMid = x + o_proj(attn(rope(q_proj(rmsnorm(x))), rope(k_proj(·)), v_proj(·)))`,
 * `xOut = xMid + down(silu(gate(rmsnorm(xMid))) · up(rmsnorm(xMid)))`. Training gives every intermediate its own
 * buffer (backward reads them); inference reuses scratch and may alias `x`, `xMid` and `xOut` (residuals update
 * in place). `rstd1`/`rstd2` are kept only when given.
 */
export interface BlockBuffers {
  x: DeviceBuffer;
  hn1: DeviceBuffer;
  q: DeviceBuffer;
  k: DeviceBuffer;
  v: DeviceBuffer;
  att: DeviceBuffer;
  proj: DeviceBuffer;
  xMid: DeviceBuffer;
  hn2: DeviceBuffer;
  gate: DeviceBuffer;
  up: DeviceBuffer;
  act: DeviceBuffer;
  xOut: DeviceBuffer;
  rstd1?: DeviceBuffer;
  rstd2?: DeviceBuffer;
}

/**
 * How a block attends: given the rotated `q`, `k` and the `v` of this call's rows, write `att`. Scoring and
 * training call `attentionForward` on the padded batch; prefill and decode write k/v to the KV cache and call
 * `cachedAttention` (see `cacheAttention` in generate/forward.ts).
 */
export type Attend = (layer: number, q: DeviceBuffer, k: DeviceBuffer, v: DeviceBuffer, att: DeviceBuffer) => void;

/**
 * One transformer block, forward: the single implementation that scoring, training, prefill and decode all run
 * (only `attend` differs). `positions` are the rows' RoPE positions.
 */
export function blockForward(be: Backend, cfg: ModelConfig, L: LayerRefs, layer: number, b: BlockBuffers, rows: number, positions: Int32Array, attend: Attend): void {
  const { hiddenSize: H, intermediateSize: I, numHeads: nh, numKvHeads: nkv, headDim: hd, rmsNormEps: eps, ropeTheta: theta } = cfg;
  const N = rows;
  be.rmsnormForward({ out: b.hn1, x: b.x, weight: L.ln1, rows: N, dim: H, eps, rstd: b.rstd1 });
  be.matmulForward({ out: b.q, x: b.hn1, w: L.wq, bias: L.bq, rows: N, inDim: H, outDim: nh * hd });
  be.matmulForward({ out: b.k, x: b.hn1, w: L.wk, bias: L.bk, rows: N, inDim: H, outDim: nkv * hd });
  be.matmulForward({ out: b.v, x: b.hn1, w: L.wv, bias: L.bv, rows: N, inDim: H, outDim: nkv * hd });
  be.ropeForward({ out: b.q, x: b.q, positions, rows: N, heads: nh, headDim: hd, theta });
  be.ropeForward({ out: b.k, x: b.k, positions, rows: N, heads: nkv, headDim: hd, theta });
  attend(layer, b.q, b.k, b.v, b.att);
  be.matmulForward({ out: b.proj, x: b.att, w: L.wo, rows: N, inDim: nh * hd, outDim: H });
  be.residualForward({ out: b.xMid, a: b.x, b: b.proj, length: N * H });
  be.rmsnormForward({ out: b.hn2, x: b.xMid, weight: L.ln2, rows: N, dim: H, eps, rstd: b.rstd2 });
  be.matmulForward({ out: b.gate, x: b.hn2, w: L.wg, rows: N, inDim: H, outDim: I });
  be.matmulForward({ out: b.up, x: b.hn2, w: L.wu, rows: N, inDim: H, outDim: I });
  be.swigluForward({ out: b.act, gate: b.gate, up: b.up, length: N * I });
  be.matmulForward({ out: b.proj, x: b.act, w: L.wd, rows: N, inDim: I, outDim: H });
  be.residualForward({ out: b.xOut, a: b.xMid, b: b.proj, length: N * H });
}

/** Inference scratch for `rows` positions: one set of buffers reused by every layer, residual stream `x` in place. */
export function inferenceBuffers(cfg: ModelConfig, rows: number, alloc: (n: number) => DeviceBuffer): BlockBuffers {
  const { hiddenSize: H, intermediateSize: I, numHeads: nh, numKvHeads: nkv, headDim: hd } = cfg;
  const x = alloc(rows * H);
  return {
    x,
    hn1: alloc(rows * H),
    q: alloc(rows * nh * hd),
    k: alloc(rows * nkv * hd),
    v: alloc(rows * nkv * hd),
    att: alloc(rows * nh * hd),
    proj: alloc(rows * H),
    xMid: x,
    hn2: alloc(rows * H),
    gate: alloc(rows * I),
    up: alloc(rows * I),
    act: alloc(rows * I),
    xOut: x,
  };
}
