import type { Backend, DeviceBuffer } from "@sentrl/compute";
import { type Attend, type BlockBuffers, blockForward, inferenceBuffers } from "../block.js";
import type { ModelConfig } from "../config.js";
import type { DecoderModel } from "../decoder.js";
import { type ModelRefs, padBatch } from "../graph.js";
import type { KvSlots } from "./kv-slots.js";
import { modelRefs } from "./refs.js";

/**
 * Attention through the KV cache: write this call's keys/values at (slot, position) for every replica slot list,
 * then attend from each row over `[0, lengths[r])` of `attendSlots[r]` (docs/contracts.md §9).
 */
function cacheAttention(be: Backend, cfg: ModelConfig, cache: KvSlots, rows: number, writeSlots: Int32Array[], positions: Int32Array, attendSlots: Int32Array, lengths: Int32Array): Attend {
  const { numHeads: heads, numKvHeads: kvHeads, headDim } = cfg;
  const { capacity, width } = cache;
  return (l, q, k, v, att) => {
    for (const slots of writeSlots) {
      be.kvCacheWrite({ cache: cache.keys[l], src: k, slots, positions, rows, capacity, width });
      be.kvCacheWrite({ cache: cache.values[l], src: v, slots, positions, rows, capacity, width });
    }
    be.cachedAttention({ out: att, q, kCache: cache.keys[l], vCache: cache.values[l], slots: attendSlots, lengths, rows, capacity, heads, kvHeads, headDim });
  };
}

/**
 * The model's forward pass for generation, on the Backend: `prefill` runs whole prompts (one padded GEMM batch)
 * and `decode` one new token per sequence, both through the one transformer block (`blockForward`) with
 * attention over the KV cache, both leaving next-token logits in a device buffer. Nothing is downloaded.
 */
export class CachedForward {
  private readonly be: Backend;
  private readonly cfg: ModelConfig;
  private readonly P: ModelRefs;
  private readonly owned: DeviceBuffer[] = [];
  private readonly step: BlockBuffers;
  private readonly hn: DeviceBuffer;
  /** Decode logits, `[maxRows, vocab]`. */
  readonly logits: DeviceBuffer;
  private prefillLogits: DeviceBuffer | undefined;
  private readonly lengths: Int32Array;

  constructor(
    model: DecoderModel,
    readonly maxRows: number,
  ) {
    this.be = model.backend;
    this.cfg = model.config;
    this.P = modelRefs(model);
    const alloc = (n: number) => {
      const b = this.be.alloc(n);
      this.owned.push(b);
      return b;
    };
    this.step = inferenceBuffers(this.cfg, maxRows, alloc);
    this.hn = alloc(maxRows * this.cfg.hiddenSize);
    this.logits = alloc(maxRows * this.cfg.vocabSize);
    this.lengths = new Int32Array(maxRows);
  }

  /**
   * Feeds `ids[r]` at `positions[r]` of slot `slots[r]` for `rows` sequences (each has `positions[r]` cached
   * positions before it); returns the next-token logits `[rows, vocab]` (`this.logits`).
   */
  decode(ids: Int32Array, slots: Int32Array, positions: Int32Array, rows: number, cache: KvSlots): DeviceBuffer {
    const { be, cfg, P, step: b } = this;
    const { hiddenSize: H, vocabSize: V } = cfg;
    for (let r = 0; r < rows; r++) this.lengths[r] = positions[r] + 1;
    const attend = cacheAttention(be, cfg, cache, rows, [slots], positions, slots, this.lengths);
    be.embeddingForward({ out: b.x, table: P.embed, ids, rows, dim: H, vocab: V });
    for (let l = 0; l < P.layers.length; l++) blockForward(be, cfg, P.layers[l], l, b, rows, positions, attend);
    this.head(b.x, rows, this.logits);
    return this.logits;
  }

  /**
   * Runs each prompt from position 0, writes its keys/values to every slot in `slots[i]` (one prompt, several
   * samples), and returns the logits of each prompt's last position, `[prompts.length, vocab]`.
   */
  prefill(prompts: number[][], slots: number[][], cache: KvSlots): DeviceBuffer {
    const { be, cfg, P } = this;
    const { hiddenSize: H, vocabSize: V } = cfg;
    const { batch: B, seqLen: T, rows: N, ids, positions, keyMask, lengths } = padBatch(prompts);
    const replicas = Math.max(...slots.map((s) => s.length));
    const writeSlots = Array.from({ length: replicas }, (_, j) => {
      const s = new Int32Array(N).fill(-1);
      for (let i = 0; i < N; i++) if (keyMask[i] === 1) s[i] = slots[Math.floor(i / T)][j] ?? -1;
      return s;
    });
    const attendSlots = Int32Array.from(writeSlots[0], (s, i) => (keyMask[i] === 1 ? slots[Math.floor(i / T)][0] : -1));
    const attendLengths = Int32Array.from(positions, (p) => p + 1);
    const tmp: DeviceBuffer[] = [];
    const alloc = (n: number) => {
      const buf = be.alloc(n);
      tmp.push(buf);
      return buf;
    };
    try {
      const b = inferenceBuffers(cfg, N, alloc);
      const attend = cacheAttention(be, cfg, cache, N, writeSlots, positions, attendSlots, attendLengths);
      be.embeddingForward({ out: b.x, table: P.embed, ids, rows: N, dim: H, vocab: V });
      for (let l = 0; l < P.layers.length; l++) blockForward(be, cfg, P.layers[l], l, b, N, positions, attend);
      // Only each prompt's last position needs logits: gather those rows (the embedding kernel is a row gather).
      const last = Int32Array.from(lengths, (n, i) => i * T + n - 1);
      const xLast = alloc(B * H);
      be.embeddingForward({ out: xLast, table: b.x, ids: last, rows: B, dim: H, vocab: N });
      if (!this.prefillLogits || this.prefillLogits.length < B * V) {
        if (this.prefillLogits) be.free(this.prefillLogits);
        this.prefillLogits = be.alloc(B * V);
      }
      this.head(xLast, B, this.prefillLogits);
      return this.prefillLogits;
    } finally {
      for (const buf of tmp) be.free(buf);
    }
  }

  /** Final RMSNorm and LM head: `out[rows, vocab]`. */
  private head(x: DeviceBuffer, rows: number, out: DeviceBuffer): void {
    const { hiddenSize: H, vocabSize: V, rmsNormEps: eps } = this.cfg;
    const hn = rows <= this.maxRows ? this.hn : this.be.alloc(rows * H);
    try {
      this.be.rmsnormForward({ out: hn, x, weight: this.P.norm, rows, dim: H, eps });
      this.be.matmulForward({ out, x: hn, w: this.P.head, rows, inDim: H, outDim: V });
    } finally {
      if (hn !== this.hn) this.be.free(hn);
    }
  }

  /** Frees the buffers. */
  dispose(): void {
    for (const b of this.owned.splice(0)) this.be.free(b);
    if (this.prefillLogits) this.be.free(this.prefillLogits);
    this.prefillLogits = undefined;
  }
}
