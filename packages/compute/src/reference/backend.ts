import type { Backend, DeviceBuffer } from "../backend.js";
import { ComputeError } from "../errors.js";
import { adamwUpdate } from "./adamw.js";
import { attentionBackward, attentionForward } from "./attention.js";
import { cachedAttention, checkCachedAttention, checkCopy, checkKvCacheWrite, kvCacheWrite } from "./decode.js";
import { residualBackward, residualForward, swigluBackward, swigluForward } from "./elementwise.js";
import { embeddingBackward, embeddingForward } from "./embedding.js";
import { logitsStatsBackward, logitsStatsForward } from "./logits.js";
import { matmulBackward, matmulForward } from "./matmul.js";
import { rmsnormBackward, rmsnormForward } from "./rmsnorm.js";
import { ropeBackward, ropeForward } from "./rope.js";
import { sampleRows, sampleTokensRows } from "./sampling.js";

class RefBuffer {
  data: Float32Array | null;
  readonly length: number;
  constructor(length: number) {
    this.data = new Float32Array(length);
    this.length = length;
  }
}

/**
 * The TypeScript reference backend: Float32Array storage, float64 accumulation for softmax, logsumexp and norms.
 * Simple and obviously right rather than fast; the conformance suite's yardstick.
 *
 * @example
 * ```ts
 * import { createReferenceBackend } from "@sentrl/compute";
 * const be = createReferenceBackend();
 * const buf = be.alloc(4);
 * be.upload(buf, new Float32Array([1, 2, 3, 4]));
 * be.download(buf); // Float32Array [1, 2, 3, 4]
 * be.free(buf);
 * ```
 */
export function createReferenceBackend(): Backend {
  const arr = (b: DeviceBuffer | undefined, what: string, need: number): Float32Array => {
    if (!(b instanceof RefBuffer)) throw new ComputeError("BACKEND_FOREIGN_BUFFER", `${what}: not a buffer of the reference backend (allocate it with this backend's alloc)`);
    if (b.data === null) throw new ComputeError("BACKEND_BUFFER_FREED", `${what}: buffer was freed`);
    if (b.length < need) throw new ComputeError("BACKEND_SHAPE", `${what}: buffer has ${b.length} elements, needs at least ${need}`);
    return b.data;
  };
  const opt = (b: DeviceBuffer | undefined, what: string, need: number): Float32Array | undefined => (b === undefined ? undefined : arr(b, what, need));
  const dims = (what: string, values: Record<string, number>): void => {
    for (const [k, v] of Object.entries(values)) {
      if (!Number.isInteger(v) || v < 0) throw new ComputeError("BACKEND_SHAPE", `${what}: ${k} must be a non-negative integer, got ${v}`);
    }
  };
  const backend: Backend = {
    name: "reference",
    alloc(length) {
      dims("alloc", { length });
      return new RefBuffer(length) as unknown as DeviceBuffer;
    },
    upload(dst, src, dstOffset = 0) {
      arr(dst, "upload", dstOffset + src.length).set(src, dstOffset);
    },
    download(src, out, srcOffset = 0, length) {
      const n = length ?? src.length - srcOffset;
      const a = arr(src, "download", srcOffset + n);
      const o = out ?? new Float32Array(n);
      o.set(a.subarray(srcOffset, srcOffset + n));
      return o;
    },
    fill(buf, value = 0) {
      arr(buf, "fill", 0).fill(value);
    },
    free(buf) {
      arr(buf, "free", 0);
      (buf as unknown as RefBuffer).data = null;
    },
    embeddingForward({ out, table, ids, rows, dim, vocab }) {
      dims("embeddingForward", { rows, dim, vocab });
      if (ids.length < rows) throw new ComputeError("BACKEND_SHAPE", `embeddingForward: ${ids.length} ids for ${rows} rows`);
      embeddingForward(arr(out, "embeddingForward.out", rows * dim), arr(table, "embeddingForward.table", vocab * dim), ids, rows, dim, vocab);
    },
    matmulForward({ out, x, w, bias, rows, inDim, outDim }) {
      dims("matmulForward", { rows, inDim, outDim });
      matmulForward(arr(out, "matmulForward.out", rows * outDim), arr(x, "matmulForward.x", rows * inDim), arr(w, "matmulForward.w", outDim * inDim), opt(bias, "matmulForward.bias", outDim), rows, inDim, outDim);
    },
    rmsnormForward({ out, x, weight, rows, dim, eps, rstd }) {
      dims("rmsnormForward", { rows, dim });
      rmsnormForward(arr(out, "rmsnormForward.out", rows * dim), arr(x, "rmsnormForward.x", rows * dim), arr(weight, "rmsnormForward.weight", dim), rows, dim, eps, opt(rstd, "rmsnormForward.rstd", rows));
    },
    ropeForward({ out, x, positions, rows, heads, headDim, theta }) {
      dims("ropeForward", { rows, heads, headDim });
      if (headDim % 2 !== 0) throw new ComputeError("BACKEND_SHAPE", `ropeForward: headDim must be even, got ${headDim}`);
      if (positions.length < rows) throw new ComputeError("BACKEND_SHAPE", `ropeForward: ${positions.length} positions for ${rows} rows`);
      const n = rows * heads * headDim;
      ropeForward(arr(out, "ropeForward.out", n), arr(x, "ropeForward.x", n), positions, rows, heads, headDim, theta);
    },
    attentionForward({ out, q, k, v, batch, seqLen, heads, kvHeads, headDim, keyMask, probs }) {
      dims("attentionForward", { batch, seqLen, heads, kvHeads, headDim });
      if (kvHeads === 0 || heads % kvHeads !== 0) throw new ComputeError("BACKEND_SHAPE", `attentionForward: heads (${heads}) must be a multiple of kvHeads (${kvHeads})`);
      if (keyMask && keyMask.length < batch * seqLen) throw new ComputeError("BACKEND_SHAPE", `attentionForward: keyMask has ${keyMask.length} entries, needs ${batch * seqLen}`);
      const nq = batch * seqLen * heads * headDim;
      const nk = batch * seqLen * kvHeads * headDim;
      attentionForward(
        arr(out, "attentionForward.out", nq),
        arr(q, "attentionForward.q", nq),
        arr(k, "attentionForward.k", nk),
        arr(v, "attentionForward.v", nk),
        batch,
        seqLen,
        heads,
        kvHeads,
        headDim,
        keyMask,
        opt(probs, "attentionForward.probs", batch * heads * seqLen * seqLen),
      );
    },
    swigluForward({ out, gate, up, length }) {
      dims("swigluForward", { length });
      swigluForward(arr(out, "swigluForward.out", length), arr(gate, "swigluForward.gate", length), arr(up, "swigluForward.up", length), length);
    },
    residualForward({ out, a, b, length }) {
      dims("residualForward", { length });
      residualForward(arr(out, "residualForward.out", length), arr(a, "residualForward.a", length), arr(b, "residualForward.b", length), length);
    },
    logitsStatsForward({ logp, entropy, h, w, targets, rows, dim, vocab, temperature, lse }) {
      dims("logitsStatsForward", { rows, dim, vocab });
      if (targets.length < rows) throw new ComputeError("BACKEND_SHAPE", `logitsStatsForward: ${targets.length} targets for ${rows} rows`);
      logitsStatsForward(
        arr(logp, "logitsStatsForward.logp", rows),
        arr(entropy, "logitsStatsForward.entropy", rows),
        arr(h, "logitsStatsForward.h", rows * dim),
        arr(w, "logitsStatsForward.w", vocab * dim),
        targets,
        rows,
        dim,
        vocab,
        temperature,
        opt(lse, "logitsStatsForward.lse", rows),
      );
    },
    embeddingBackward({ dTable, dOut, ids, rows, dim, vocab }) {
      dims("embeddingBackward", { rows, dim, vocab });
      if (ids.length < rows) throw new ComputeError("BACKEND_SHAPE", `embeddingBackward: ${ids.length} ids for ${rows} rows`);
      embeddingBackward(arr(dTable, "embeddingBackward.dTable", vocab * dim), arr(dOut, "embeddingBackward.dOut", rows * dim), ids, rows, dim, vocab);
    },
    matmulBackward({ dOut, x, w, dx, dw, dBias, rows, inDim, outDim }) {
      dims("matmulBackward", { rows, inDim, outDim });
      matmulBackward(
        arr(dOut, "matmulBackward.dOut", rows * outDim),
        arr(x, "matmulBackward.x", rows * inDim),
        arr(w, "matmulBackward.w", outDim * inDim),
        opt(dx, "matmulBackward.dx", rows * inDim),
        opt(dw, "matmulBackward.dw", outDim * inDim),
        opt(dBias, "matmulBackward.dBias", outDim),
        rows,
        inDim,
        outDim,
      );
    },
    rmsnormBackward({ dOut, x, weight, rstd, dx, dWeight, rows, dim }) {
      dims("rmsnormBackward", { rows, dim });
      const n = rows * dim;
      rmsnormBackward(arr(dOut, "rmsnormBackward.dOut", n), arr(x, "rmsnormBackward.x", n), arr(weight, "rmsnormBackward.weight", dim), arr(rstd, "rmsnormBackward.rstd", rows), arr(dx, "rmsnormBackward.dx", n), opt(dWeight, "rmsnormBackward.dWeight", dim), rows, dim);
    },
    ropeBackward({ dOut, dx, positions, rows, heads, headDim, theta }) {
      dims("ropeBackward", { rows, heads, headDim });
      if (headDim % 2 !== 0) throw new ComputeError("BACKEND_SHAPE", `ropeBackward: headDim must be even, got ${headDim}`);
      if (positions.length < rows) throw new ComputeError("BACKEND_SHAPE", `ropeBackward: ${positions.length} positions for ${rows} rows`);
      const n = rows * heads * headDim;
      ropeBackward(arr(dx, "ropeBackward.dx", n), arr(dOut, "ropeBackward.dOut", n), positions, rows, heads, headDim, theta);
    },
    attentionBackward({ dOut, q, k, v, probs, dq, dk, dv, batch, seqLen, heads, kvHeads, headDim }) {
      dims("attentionBackward", { batch, seqLen, heads, kvHeads, headDim });
      if (kvHeads === 0 || heads % kvHeads !== 0) throw new ComputeError("BACKEND_SHAPE", `attentionBackward: heads (${heads}) must be a multiple of kvHeads (${kvHeads})`);
      const nq = batch * seqLen * heads * headDim;
      const nk = batch * seqLen * kvHeads * headDim;
      attentionBackward(
        arr(dOut, "attentionBackward.dOut", nq),
        arr(q, "attentionBackward.q", nq),
        arr(k, "attentionBackward.k", nk),
        arr(v, "attentionBackward.v", nk),
        arr(probs, "attentionBackward.probs", batch * heads * seqLen * seqLen),
        arr(dq, "attentionBackward.dq", nq),
        arr(dk, "attentionBackward.dk", nk),
        arr(dv, "attentionBackward.dv", nk),
        batch,
        seqLen,
        heads,
        kvHeads,
        headDim,
      );
    },
    swigluBackward({ dOut, gate, up, dGate, dUp, length }) {
      dims("swigluBackward", { length });
      swigluBackward(arr(dOut, "swigluBackward.dOut", length), arr(gate, "swigluBackward.gate", length), arr(up, "swigluBackward.up", length), arr(dGate, "swigluBackward.dGate", length), arr(dUp, "swigluBackward.dUp", length), length);
    },
    residualBackward({ dOut, da, db, length }) {
      dims("residualBackward", { length });
      residualBackward(arr(dOut, "residualBackward.dOut", length), opt(da, "residualBackward.da", length), opt(db, "residualBackward.db", length), length);
    },
    logitsStatsBackward({ h, w, targets, lse, entropy, dLogp, dEntropy, dh, dw, rows, dim, vocab, temperature }) {
      dims("logitsStatsBackward", { rows, dim, vocab });
      if (targets.length < rows) throw new ComputeError("BACKEND_SHAPE", `logitsStatsBackward: ${targets.length} targets for ${rows} rows`);
      if (!(temperature > 0) || !Number.isFinite(temperature)) throw new ComputeError("BACKEND_BAD_ARGUMENT", `logitsStatsBackward: temperature must be a positive finite number, got ${temperature}`);
      logitsStatsBackward(
        arr(h, "logitsStatsBackward.h", rows * dim),
        arr(w, "logitsStatsBackward.w", vocab * dim),
        targets,
        arr(lse, "logitsStatsBackward.lse", rows),
        arr(entropy, "logitsStatsBackward.entropy", rows),
        arr(dLogp, "logitsStatsBackward.dLogp", rows),
        opt(dEntropy, "logitsStatsBackward.dEntropy", rows),
        opt(dh, "logitsStatsBackward.dh", rows * dim),
        opt(dw, "logitsStatsBackward.dw", vocab * dim),
        rows,
        dim,
        vocab,
        temperature,
      );
    },
    adamwStep({ params, lr, beta1, beta2, eps, weightDecay, step, maxGradNorm }) {
      if (!(Number.isInteger(step) && step >= 1)) throw new ComputeError("BACKEND_BAD_ARGUMENT", `adamwStep: step must be an integer ≥ 1, got ${step}`);
      const tensors = params.map((p, i) => {
        const n = p.param.length;
        for (const [k, b] of [["grad", p.grad], ["m", p.m], ["v", p.v]] as const) {
          if (b.length !== n) throw new ComputeError("BACKEND_SHAPE", `adamwStep: params[${i}].${k} has ${b.length} elements, param has ${n}`);
        }
        return { param: arr(p.param, `adamwStep.params[${i}].param`, n), grad: arr(p.grad, `adamwStep.params[${i}].grad`, n), m: arr(p.m, `adamwStep.params[${i}].m`, n), v: arr(p.v, `adamwStep.params[${i}].v`, n), weightDecay: p.weightDecay ?? weightDecay };
      });
      return adamwUpdate(tensors, { lr, beta1, beta2, eps, step, maxGradNorm });
    },
    sample({ logits, rows, vocab, uniforms, temperature, topK, topP }) {
      dims("sample", { rows, vocab });
      return sampleRows(arr(logits, "sample.logits", rows * vocab), rows, vocab, uniforms, temperature, topK, topP);
    },
    copy({ dst, src, length, dstOffset = 0, srcOffset = 0 }) {
      checkCopy(dst.length, src.length, length, dstOffset, srcOffset);
      const s = arr(src, "copy.src", srcOffset + length);
      arr(dst, "copy.dst", dstOffset + length).set(s.subarray(srcOffset, srcOffset + length), dstOffset);
    },
    kvCacheWrite({ cache, src, slots, positions, rows, capacity, width }) {
      checkKvCacheWrite(cache.length, slots, positions, rows, capacity, width);
      kvCacheWrite(arr(cache, "kvCacheWrite.cache", 0), arr(src, "kvCacheWrite.src", rows * width), slots, positions, rows, capacity, width);
    },
    cachedAttention({ out, q, kCache, vCache, slots, lengths, rows, capacity, heads, kvHeads, headDim }) {
      checkCachedAttention(Math.min(kCache.length, vCache.length), slots, lengths, rows, capacity, heads, kvHeads, headDim);
      const n = rows * heads * headDim;
      cachedAttention(arr(out, "cachedAttention.out", n), arr(q, "cachedAttention.q", n), arr(kCache, "cachedAttention.kCache", 0), arr(vCache, "cachedAttention.vCache", 0), slots, lengths, rows, capacity, heads, kvHeads, headDim);
    },
    sampleTokens({ logits, rows, vocab, uniforms, temperature, topK, topP }) {
      dims("sampleTokens", { rows, vocab });
      return sampleTokensRows(arr(logits, "sampleTokens.logits", rows * vocab), rows, vocab, uniforms, temperature, topK, topP);
    },
  };
  return backend;
}
