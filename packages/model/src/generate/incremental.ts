import type { Backend, DeviceBuffer } from "@sentrl/compute";
import type { ModelConfig } from "../config.js";
import type { DecoderModel } from "../decoder.js";
import { ModelError } from "../errors.js";
import { type ModelRefs, padBatch } from "../graph.js";
import { attendCached, KvCache } from "./kv-cache.js";
import { modelRefs } from "./refs.js";

/**
 * Incremental (KV-cached) inference over a `DecoderModel`: `prefill` runs whole prompts through the Backend's
 * kernels (padded batch, key-padding mask) and fills one `KvCache` per row; `step` feeds one new token per row and
 * attends to the cache. Both leave next-token logits `[rows, vocab]` in `logits` (a backend buffer) and return them.
 * Buffers are allocated once for `maxRows` rows and reused; call `dispose` when done.
 */
export class IncrementalDecoder {
  private readonly be: Backend;
  private readonly cfg: ModelConfig;
  private readonly P: ModelRefs;
  private readonly bufs: DeviceBuffer[] = [];
  readonly logits: DeviceBuffer;
  private readonly x: DeviceBuffer;
  private readonly hn: DeviceBuffer;
  private readonly q: DeviceBuffer;
  private readonly k: DeviceBuffer;
  private readonly v: DeviceBuffer;
  private readonly att: DeviceBuffer;
  private readonly proj: DeviceBuffer;
  private readonly gate: DeviceBuffer;
  private readonly up: DeviceBuffer;
  private readonly hostQ: Float32Array;
  private readonly hostK: Float32Array;
  private readonly hostV: Float32Array;
  private readonly hostAtt: Float32Array;
  private scores = new Float64Array(256);
  private readonly acc: Float64Array;
  private readonly ids: Int32Array;
  private readonly positions: Int32Array;

  constructor(
    model: DecoderModel,
    readonly maxRows: number,
  ) {
    this.be = model.backend;
    this.cfg = model.config;
    this.P = modelRefs(model);
    const { hiddenSize: H, intermediateSize: I, numHeads: nh, numKvHeads: nkv, headDim: hd, vocabSize: V } = this.cfg;
    const R = maxRows;
    const alloc = (n: number) => {
      const b = this.be.alloc(n);
      this.bufs.push(b);
      return b;
    };
    this.logits = alloc(R * V);
    this.x = alloc(R * H);
    this.hn = alloc(R * H);
    this.q = alloc(R * nh * hd);
    this.k = alloc(R * nkv * hd);
    this.v = alloc(R * nkv * hd);
    this.att = alloc(R * nh * hd);
    this.proj = alloc(R * H);
    this.gate = alloc(R * I);
    this.up = alloc(R * I);
    this.hostQ = new Float32Array(R * nh * hd);
    this.hostK = new Float32Array(R * nkv * hd);
    this.hostV = new Float32Array(R * nkv * hd);
    this.hostAtt = new Float32Array(R * nh * hd);
    this.acc = new Float64Array(nh * hd);
    this.ids = new Int32Array(R);
    this.positions = new Int32Array(R);
  }

  /** A fresh cache for one sequence. */
  newCache(capacity = 64): KvCache {
    return new KvCache(this.cfg.numLayers, this.cfg.numKvHeads * this.cfg.headDim, capacity);
  }

  /**
   * Runs every row's tokens from position 0, fills `caches[b]` (which must be empty) and leaves the logits of each
   * row's last token in `logits[b]`. Rows need at least one token.
   */
  prefill(rows: number[][], caches: KvCache[]): DeviceBuffer {
    const be = this.be;
    const P = this.P;
    const {
      hiddenSize: H,
      intermediateSize: I,
      numHeads: nh,
      numKvHeads: nkv,
      headDim: hd,
      vocabSize: V,
      rmsNormEps: eps,
      ropeTheta: theta,
    } = this.cfg;
    if (rows.length > this.maxRows)
      throw new ModelError("MODEL_BAD_ARGUMENT", `prefill of ${rows.length} rows exceeds maxRows ${this.maxRows}`);
    if (rows.some((r) => r.length === 0))
      throw new ModelError("MODEL_BAD_TOKENS", "every prompt needs at least one token");
    const { batch: B, seqLen: T, rows: N, ids, positions, keyMask, lengths } = padBatch(rows);
    const kw = nkv * hd;
    for (let b = 0; b < B; b++) {
      if (caches[b].length !== 0) throw new ModelError("MODEL_BAD_ARGUMENT", "prefill needs empty caches");
      caches[b].reserve(lengths[b]);
    }
    const tmp: DeviceBuffer[] = [];
    const alloc = (n: number) => {
      const b = be.alloc(n);
      tmp.push(b);
      return b;
    };
    try {
      const x = alloc(N * H);
      const hn = alloc(N * H);
      const q = alloc(N * nh * hd);
      const k = alloc(N * kw);
      const v = alloc(N * kw);
      const att = alloc(N * nh * hd);
      const proj = alloc(N * H);
      const gate = alloc(N * I);
      const up = alloc(N * I);
      const hostK = new Float32Array(N * kw);
      const hostV = new Float32Array(N * kw);
      be.embeddingForward({ out: x, table: P.embed, ids, rows: N, dim: H, vocab: V });
      P.layers.forEach((L, l) => {
        be.rmsnormForward({ out: hn, x, weight: L.ln1, rows: N, dim: H, eps });
        be.matmulForward({ out: q, x: hn, w: L.wq, bias: L.bq, rows: N, inDim: H, outDim: nh * hd });
        be.matmulForward({ out: k, x: hn, w: L.wk, bias: L.bk, rows: N, inDim: H, outDim: kw });
        be.matmulForward({ out: v, x: hn, w: L.wv, bias: L.bv, rows: N, inDim: H, outDim: kw });
        be.ropeForward({ out: q, x: q, positions, rows: N, heads: nh, headDim: hd, theta });
        be.ropeForward({ out: k, x: k, positions, rows: N, heads: nkv, headDim: hd, theta });
        be.download(k, hostK, 0, N * kw);
        be.download(v, hostV, 0, N * kw);
        for (let b = 0; b < B; b++)
          for (let t = 0; t < lengths[b]; t++) caches[b].write(l, t, hostK, hostV, (b * T + t) * kw);
        be.attentionForward({ out: att, q, k, v, batch: B, seqLen: T, heads: nh, kvHeads: nkv, headDim: hd, keyMask });
        be.matmulForward({ out: proj, x: att, w: L.wo, rows: N, inDim: nh * hd, outDim: H });
        be.residualForward({ out: x, a: x, b: proj, length: N * H });
        be.rmsnormForward({ out: hn, x, weight: L.ln2, rows: N, dim: H, eps });
        be.matmulForward({ out: gate, x: hn, w: L.wg, rows: N, inDim: H, outDim: I });
        be.matmulForward({ out: up, x: hn, w: L.wu, rows: N, inDim: H, outDim: I });
        be.swigluForward({ out: gate, gate, up, length: N * I });
        be.matmulForward({ out: proj, x: gate, w: L.wd, rows: N, inDim: I, outDim: H });
        be.residualForward({ out: x, a: x, b: proj, length: N * H });
      });
      // Only each row's last position needs logits: gather those hidden states, then normalise and project.
      const last = new Float32Array(B * H);
      for (let b = 0; b < B; b++) be.download(x, last.subarray(b * H, (b + 1) * H), (b * T + lengths[b] - 1) * H, H);
      be.upload(this.x, last);
      for (let b = 0; b < B; b++) caches[b].length = lengths[b];
      return this.head(B);
    } finally {
      for (const b of tmp) be.free(b);
    }
  }

  /** Feeds `tokens[r]` at position `caches[r].length` for each of `rows` rows, appends to the caches, returns logits. */
  step(tokens: ArrayLike<number>, caches: KvCache[], rows: number): DeviceBuffer {
    const be = this.be;
    const P = this.P;
    const {
      hiddenSize: H,
      intermediateSize: I,
      numHeads: nh,
      numKvHeads: nkv,
      headDim: hd,
      vocabSize: V,
      rmsNormEps: eps,
      ropeTheta: theta,
    } = this.cfg;
    const R = rows;
    if (R > this.maxRows)
      throw new ModelError("MODEL_BAD_ARGUMENT", `step of ${R} rows exceeds maxRows ${this.maxRows}`);
    const kw = nkv * hd;
    const qw = nh * hd;
    let maxLen = 0;
    for (let r = 0; r < R; r++) {
      const id = tokens[r];
      if (!Number.isInteger(id) || id < 0 || id >= V)
        throw new ModelError("MODEL_TOKEN_OUT_OF_RANGE", `token ${id} is outside the vocabulary [0, ${V})`);
      this.ids[r] = id;
      this.positions[r] = caches[r].length;
      caches[r].reserve(caches[r].length + 1);
      maxLen = Math.max(maxLen, caches[r].length + 1);
    }
    const group = nh / nkv;
    if (this.scores.length < group * maxLen) this.scores = new Float64Array(group * maxLen * 2);
    const { x, hn, q, k, v, att, proj, gate, up, hostQ, hostK, hostV, hostAtt } = this;
    be.embeddingForward({ out: x, table: P.embed, ids: this.ids, rows: R, dim: H, vocab: V });
    P.layers.forEach((L, l) => {
      be.rmsnormForward({ out: hn, x, weight: L.ln1, rows: R, dim: H, eps });
      be.matmulForward({ out: q, x: hn, w: L.wq, bias: L.bq, rows: R, inDim: H, outDim: qw });
      be.matmulForward({ out: k, x: hn, w: L.wk, bias: L.bk, rows: R, inDim: H, outDim: kw });
      be.matmulForward({ out: v, x: hn, w: L.wv, bias: L.bv, rows: R, inDim: H, outDim: kw });
      be.ropeForward({ out: q, x: q, positions: this.positions, rows: R, heads: nh, headDim: hd, theta });
      be.ropeForward({ out: k, x: k, positions: this.positions, rows: R, heads: nkv, headDim: hd, theta });
      be.download(q, hostQ, 0, R * qw);
      be.download(k, hostK, 0, R * kw);
      be.download(v, hostV, 0, R * kw);
      for (let r = 0; r < R; r++) {
        const c = caches[r];
        c.write(l, c.length, hostK, hostV, r * kw);
        attendCached(
          hostAtt,
          r * qw,
          hostQ,
          r * qw,
          c.keys[l],
          c.values[l],
          c.length + 1,
          nh,
          nkv,
          hd,
          this.scores,
          this.acc,
        );
      }
      be.upload(att, hostAtt.subarray(0, R * qw));
      be.matmulForward({ out: proj, x: att, w: L.wo, rows: R, inDim: qw, outDim: H });
      be.residualForward({ out: x, a: x, b: proj, length: R * H });
      be.rmsnormForward({ out: hn, x, weight: L.ln2, rows: R, dim: H, eps });
      be.matmulForward({ out: gate, x: hn, w: L.wg, rows: R, inDim: H, outDim: I });
      be.matmulForward({ out: up, x: hn, w: L.wu, rows: R, inDim: H, outDim: I });
      be.swigluForward({ out: gate, gate, up, length: R * I });
      be.matmulForward({ out: proj, x: gate, w: L.wd, rows: R, inDim: I, outDim: H });
      be.residualForward({ out: x, a: x, b: proj, length: R * H });
    });
    for (let r = 0; r < R; r++) caches[r].length++;
    return this.head(R);
  }

  /** Final norm and LM head over the first `rows` rows of `x`. */
  private head(rows: number): DeviceBuffer {
    const { hiddenSize: H, vocabSize: V, rmsNormEps: eps } = this.cfg;
    this.be.rmsnormForward({ out: this.hn, x: this.x, weight: this.P.norm, rows, dim: H, eps });
    this.be.matmulForward({ out: this.logits, x: this.hn, w: this.P.head, rows, inDim: H, outDim: V });
    return this.logits;
  }

  /** Frees the backend buffers. */
  dispose(): void {
    for (const b of this.bufs.splice(0)) this.be.free(b);
  }
}
