import type { Backend, DeviceBuffer } from "../backend.js";
import { ComputeError } from "../errors.js";
import { sampleRows } from "../reference/sampling.js";
import type { FastKernels } from "./kernels.js";
import { ArrayPool, Scratch } from "./pool.js";
import { RopeTables, ropeBackwardFast, ropeForwardFast } from "./rope.js";

class FastBuffer {
  data: Float32Array | null;
  readonly length: number;
  constructor(data: Float32Array) {
    this.data = data;
    this.length = data.length;
  }
}

/** Options of `createFastCpuBackend`. */
export interface FastCpuBackendOptions {
  /** Idle memory the buffer pool may keep for reuse across steps (default 2 GiB). */
  poolBytes?: number;
}

/** `dst[i] += src[i]` for i < n. */
function addInto(dst: Float32Array, src: Float32Array, n: number): void {
  for (let i = 0; i < n; i++) dst[i] += src[i];
}

/**
 * The fast CPU backend: every matmul (forward and both backward layouts), the fused logits head, RMSNorm, SwiGLU,
 * attention and AdamW run in the multi-threaded AVX2/FMA kernels of `@sentrl/compute-native`; RoPE (cached
 * tables), residuals and embeddings are tight TypeScript. Freed buffers go to a pool and are reused by the next
 * allocation of the same size, so a training loop does not allocate its activations again every step.
 * Get the kernels with `loadFastKernels()` (or let `selectBackend()` do it and fall back to the reference).
 *
 * @example
 * ```ts
 * import { createFastCpuBackend, loadFastKernels } from "@sentrl/compute";
 * const { kernels } = await loadFastKernels();
 * if (kernels) {
 *   const be = createFastCpuBackend(kernels);
 *   const x = be.alloc(6);
 *   be.upload(x, new Float32Array([1, 2, 3, 4, 5, 6]));
 *   const w = be.alloc(3);
 *   be.upload(w, new Float32Array([1, 0, 1]));
 *   const y = be.alloc(2);
 *   be.matmulForward({ out: y, x, w, rows: 2, inDim: 3, outDim: 1 });
 *   be.download(y); // Float32Array [4, 10]
 * }
 * ```
 */
export function createFastCpuBackend(kernels: FastKernels, options: FastCpuBackendOptions = {}): Backend {
  const k = kernels;
  const pool = new ArrayPool(options.poolBytes ?? 2 * 1024 ** 3);
  const scratch = new Scratch();
  const rope = new RopeTables();

  const arr = (b: DeviceBuffer | undefined, what: string, need: number): Float32Array => {
    if (!(b instanceof FastBuffer)) throw new ComputeError("BACKEND_FOREIGN_BUFFER", `${what}: not a buffer of the fast CPU backend (allocate it with this backend's alloc)`);
    if (b.data === null) throw new ComputeError("BACKEND_BUFFER_FREED", `${what}: buffer was freed`);
    if (b.length < need) throw new ComputeError("BACKEND_SHAPE", `${what}: buffer has ${b.length} elements, needs at least ${need}`);
    return b.data;
  };
  const opt = (b: DeviceBuffer | undefined, what: string, need: number): Float32Array | undefined => (b === undefined ? undefined : arr(b, what, need));
  const dims = (what: string, values: Record<string, number>): void => {
    for (const key in values) {
      const v = values[key];
      if (!Number.isInteger(v) || v < 0) throw new ComputeError("BACKEND_SHAPE", `${what}: ${key} must be a non-negative integer, got ${v}`);
    }
  };
  const checkIds = (what: string, ids: Int32Array, rows: number, bound: number, allowNegative: boolean): void => {
    if (ids.length < rows) throw new ComputeError("BACKEND_SHAPE", `${what}: ${ids.length} ids for ${rows} rows`);
    for (let r = 0; r < rows; r++) {
      const id = ids[r];
      if (id >= bound || (id < 0 && !allowNegative)) throw new ComputeError("BACKEND_INDEX_OUT_OF_RANGE", `${what}: id ${id} at row ${r} is outside [0, ${bound})`);
    }
  };
  const checkTemperature = (what: string, t: number): void => {
    if (!(t > 0) || !Number.isFinite(t)) throw new ComputeError("BACKEND_BAD_ARGUMENT", `${what}: temperature must be a positive finite number, got ${t}`);
  };
  const checkHeads = (what: string, heads: number, kvHeads: number): void => {
    if (kvHeads === 0 || heads % kvHeads !== 0) throw new ComputeError("BACKEND_SHAPE", `${what}: heads (${heads}) must be a multiple of kvHeads (${kvHeads})`);
  };
  const checkRope = (what: string, positions: Int32Array, rows: number, headDim: number): void => {
    if (headDim % 2 !== 0) throw new ComputeError("BACKEND_SHAPE", `${what}: headDim must be even, got ${headDim}`);
    if (positions.length < rows) throw new ComputeError("BACKEND_SHAPE", `${what}: ${positions.length} positions for ${rows} rows`);
    for (let r = 0; r < rows; r++) if (positions[r] < 0) throw new ComputeError("BACKEND_BAD_ARGUMENT", `${what}: position ${positions[r]} at row ${r} is negative`);
  };

  const backend: Backend = {
    name: "cpu",
    alloc(length) {
      dims("alloc", { length });
      return new FastBuffer(pool.take(length)) as unknown as DeviceBuffer;
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
      const data = arr(buf, "free", 0);
      (buf as unknown as FastBuffer).data = null;
      pool.give(data);
    },
    embeddingForward({ out, table, ids, rows, dim, vocab }) {
      dims("embeddingForward", { rows, dim, vocab });
      checkIds("embeddingForward", ids, rows, vocab, false);
      const o = arr(out, "embeddingForward.out", rows * dim);
      const t = arr(table, "embeddingForward.table", vocab * dim);
      for (let r = 0; r < rows; r++) o.set(t.subarray(ids[r] * dim, ids[r] * dim + dim), r * dim);
    },
    matmulForward({ out, x, w, bias, rows, inDim, outDim }) {
      dims("matmulForward", { rows, inDim, outDim });
      k.matmulForward({
        out: arr(out, "matmulForward.out", rows * outDim),
        x: arr(x, "matmulForward.x", rows * inDim),
        w: arr(w, "matmulForward.w", outDim * inDim),
        bias: opt(bias, "matmulForward.bias", outDim),
        rows,
        inDim,
        outDim,
      });
    },
    rmsnormForward({ out, x, weight, rows, dim, eps, rstd }) {
      dims("rmsnormForward", { rows, dim });
      k.rmsnormForward({ out: arr(out, "rmsnormForward.out", rows * dim), x: arr(x, "rmsnormForward.x", rows * dim), weight: arr(weight, "rmsnormForward.weight", dim), rows, dim, eps, rstd: opt(rstd, "rmsnormForward.rstd", rows) });
    },
    ropeForward({ out, x, positions, rows, heads, headDim, theta }) {
      dims("ropeForward", { rows, heads, headDim });
      checkRope("ropeForward", positions, rows, headDim);
      const n = rows * heads * headDim;
      ropeForwardFast(rope, arr(out, "ropeForward.out", n), arr(x, "ropeForward.x", n), positions, rows, heads, headDim, theta);
    },
    attentionForward({ out, q, k: kk, v, batch, seqLen, heads, kvHeads, headDim, keyMask, probs }) {
      dims("attentionForward", { batch, seqLen, heads, kvHeads, headDim });
      checkHeads("attentionForward", heads, kvHeads);
      if (keyMask && keyMask.length < batch * seqLen) throw new ComputeError("BACKEND_SHAPE", `attentionForward: keyMask has ${keyMask.length} entries, needs ${batch * seqLen}`);
      const nq = batch * seqLen * heads * headDim;
      const nk = batch * seqLen * kvHeads * headDim;
      const np = batch * heads * seqLen * seqLen;
      k.attentionForward({
        out: arr(out, "attentionForward.out", nq),
        probs: opt(probs, "attentionForward.probs", np) ?? scratch.get("probs", np),
        q: arr(q, "attentionForward.q", nq),
        k: arr(kk, "attentionForward.k", nk),
        v: arr(v, "attentionForward.v", nk),
        keyMask,
        batch,
        seqLen,
        heads,
        kvHeads,
        headDim,
      });
    },
    swigluForward({ out, gate, up, length }) {
      dims("swigluForward", { length });
      k.swigluForward({ out: arr(out, "swigluForward.out", length), gate: arr(gate, "swigluForward.gate", length), up: arr(up, "swigluForward.up", length), length });
    },
    residualForward({ out, a, b, length }) {
      dims("residualForward", { length });
      const o = arr(out, "residualForward.out", length);
      const x = arr(a, "residualForward.a", length);
      const y = arr(b, "residualForward.b", length);
      for (let i = 0; i < length; i++) o[i] = x[i] + y[i];
    },
    logitsStatsForward({ logp, entropy, h, w, targets, rows, dim, vocab, temperature, lse }) {
      dims("logitsStatsForward", { rows, dim, vocab });
      checkTemperature("logitsStatsForward", temperature);
      checkIds("logitsStatsForward", targets, rows, vocab, true);
      k.logitsStatsForward({
        logp: arr(logp, "logitsStatsForward.logp", rows),
        entropy: arr(entropy, "logitsStatsForward.entropy", rows),
        lse: opt(lse, "logitsStatsForward.lse", rows),
        h: arr(h, "logitsStatsForward.h", rows * dim),
        w: arr(w, "logitsStatsForward.w", vocab * dim),
        targets,
        rows,
        dim,
        vocab,
        temperature,
      });
    },
    embeddingBackward({ dTable, dOut, ids, rows, dim, vocab }) {
      dims("embeddingBackward", { rows, dim, vocab });
      checkIds("embeddingBackward", ids, rows, vocab, false);
      const t = arr(dTable, "embeddingBackward.dTable", vocab * dim);
      const g = arr(dOut, "embeddingBackward.dOut", rows * dim);
      for (let r = 0; r < rows; r++) {
        const to = ids[r] * dim;
        const go = r * dim;
        for (let i = 0; i < dim; i++) t[to + i] += g[go + i];
      }
    },
    matmulBackward({ dOut, x, w, dx, dw, dBias, rows, inDim, outDim }) {
      dims("matmulBackward", { rows, inDim, outDim });
      const g = arr(dOut, "matmulBackward.dOut", rows * outDim);
      const dxa = opt(dx, "matmulBackward.dx", rows * inDim);
      const dwa = opt(dw, "matmulBackward.dw", outDim * inDim);
      const dba = opt(dBias, "matmulBackward.dBias", outDim);
      if (dxa) k.matmulBackwardInput({ dx: dxa, dout: g, w: arr(w, "matmulBackward.w", outDim * inDim), rows, inDim, outDim, accumulate: true });
      if (dwa) k.matmulBackwardWeight({ dw: dwa, dbias: dba, dout: g, x: arr(x, "matmulBackward.x", rows * inDim), rows, inDim, outDim });
      else if (dba) {
        for (let r = 0; r < rows; r++) {
          const o = r * outDim;
          for (let j = 0; j < outDim; j++) dba[j] += g[o + j];
        }
      }
    },
    rmsnormBackward({ dOut, x, weight, rstd, dx, dWeight, rows, dim }) {
      dims("rmsnormBackward", { rows, dim });
      const n = rows * dim;
      k.rmsnormBackward({
        dx: arr(dx, "rmsnormBackward.dx", n),
        dweight: opt(dWeight, "rmsnormBackward.dWeight", dim),
        dout: arr(dOut, "rmsnormBackward.dOut", n),
        x: arr(x, "rmsnormBackward.x", n),
        weight: arr(weight, "rmsnormBackward.weight", dim),
        rstd: arr(rstd, "rmsnormBackward.rstd", rows),
        rows,
        dim,
        accumulate: true,
      });
    },
    ropeBackward({ dOut, dx, positions, rows, heads, headDim, theta }) {
      dims("ropeBackward", { rows, heads, headDim });
      checkRope("ropeBackward", positions, rows, headDim);
      const n = rows * heads * headDim;
      ropeBackwardFast(rope, arr(dx, "ropeBackward.dx", n), arr(dOut, "ropeBackward.dOut", n), positions, rows, heads, headDim, theta);
    },
    attentionBackward({ dOut, q, k: kk, v, probs, dq, dk, dv, batch, seqLen, heads, kvHeads, headDim }) {
      dims("attentionBackward", { batch, seqLen, heads, kvHeads, headDim });
      checkHeads("attentionBackward", heads, kvHeads);
      const nq = batch * seqLen * heads * headDim;
      const nk = batch * seqLen * kvHeads * headDim;
      const dqa = arr(dq, "attentionBackward.dq", nq);
      const dka = arr(dk, "attentionBackward.dk", nk);
      const dva = arr(dv, "attentionBackward.dv", nk);
      // The native kernel overwrites its outputs; the contract accumulates.
      const sq = scratch.get("attn.dq", nq);
      const sk = scratch.get("attn.dk", nk);
      const sv = scratch.get("attn.dv", nk);
      k.attentionBackward({
        dq: sq,
        dk: sk,
        dv: sv,
        dout: arr(dOut, "attentionBackward.dOut", nq),
        probs: arr(probs, "attentionBackward.probs", batch * heads * seqLen * seqLen),
        q: arr(q, "attentionBackward.q", nq),
        k: arr(kk, "attentionBackward.k", nk),
        v: arr(v, "attentionBackward.v", nk),
        batch,
        seqLen,
        heads,
        kvHeads,
        headDim,
      });
      addInto(dqa, sq, nq);
      addInto(dka, sk, nk);
      addInto(dva, sv, nk);
    },
    swigluBackward({ dOut, gate, up, dGate, dUp, length }) {
      dims("swigluBackward", { length });
      const dg = arr(dGate, "swigluBackward.dGate", length);
      const du = arr(dUp, "swigluBackward.dUp", length);
      const sg = scratch.get("swiglu.dgate", length);
      const su = scratch.get("swiglu.dup", length);
      k.swigluBackward({ dgate: sg, dup: su, dout: arr(dOut, "swigluBackward.dOut", length), gate: arr(gate, "swigluBackward.gate", length), up: arr(up, "swigluBackward.up", length), length });
      addInto(dg, sg, length);
      addInto(du, su, length);
    },
    residualBackward({ dOut, da, db, length }) {
      dims("residualBackward", { length });
      const g = arr(dOut, "residualBackward.dOut", length);
      const a = opt(da, "residualBackward.da", length);
      const b = opt(db, "residualBackward.db", length);
      if (a) addInto(a, g, length);
      if (b) addInto(b, g, length);
    },
    logitsStatsBackward({ h, w, targets, lse, entropy, dLogp, dEntropy, dh, dw, rows, dim, vocab, temperature }) {
      dims("logitsStatsBackward", { rows, dim, vocab });
      checkTemperature("logitsStatsBackward", temperature);
      checkIds("logitsStatsBackward", targets, rows, vocab, true);
      const dha = opt(dh, "logitsStatsBackward.dh", rows * dim);
      const dwa = opt(dw, "logitsStatsBackward.dw", vocab * dim);
      if (!dha && !dwa) return;
      k.logitsStatsBackward({
        dh: dha ?? scratch.get("logits.dh", rows * dim),
        dw: dwa ?? scratch.get("logits.dw", vocab * dim),
        h: arr(h, "logitsStatsBackward.h", rows * dim),
        w: arr(w, "logitsStatsBackward.w", vocab * dim),
        targets,
        lse: arr(lse, "logitsStatsBackward.lse", rows),
        entropy: arr(entropy, "logitsStatsBackward.entropy", rows),
        dlogp: arr(dLogp, "logitsStatsBackward.dLogp", rows),
        dentropy: opt(dEntropy, "logitsStatsBackward.dEntropy", rows),
        rows,
        dim,
        vocab,
        temperature,
        accumulate: dha !== undefined,
      });
    },
    adamwStep({ params, lr, beta1, beta2, eps, weightDecay, step, maxGradNorm }) {
      if (!(Number.isInteger(step) && step >= 1)) throw new ComputeError("BACKEND_BAD_ARGUMENT", `adamwStep: step must be an integer ≥ 1, got ${step}`);
      const tensors = params.map((p, i) => {
        const n = p.param.length;
        for (const [name, b] of [["grad", p.grad], ["m", p.m], ["v", p.v]] as const) {
          if (b.length !== n) throw new ComputeError("BACKEND_SHAPE", `adamwStep: params[${i}].${name} has ${b.length} elements, param has ${n}`);
        }
        return { param: arr(p.param, `adamwStep.params[${i}].param`, n), grad: arr(p.grad, `adamwStep.params[${i}].grad`, n), m: arr(p.m, `adamwStep.params[${i}].m`, n), v: arr(p.v, `adamwStep.params[${i}].v`, n), weightDecay: p.weightDecay ?? weightDecay };
      });
      let ss = 0;
      for (const t of tensors) ss += k.sumSquares(t.grad);
      const gradNorm = Math.sqrt(ss);
      const clipCoef = maxGradNorm !== undefined && maxGradNorm > 0 && Number.isFinite(maxGradNorm) ? Math.min(1, maxGradNorm / (gradNorm + 1e-6)) : 1;
      for (const t of tensors) k.adamwUpdate({ ...t, lr, beta1, beta2, eps, step, gradScale: clipCoef });
      return { gradNorm, clipCoef };
    },
    sample({ logits, rows, vocab, uniforms, temperature, topK, topP }) {
      dims("sample", { rows, vocab });
      return sampleRows(arr(logits, "sample.logits", rows * vocab), rows, vocab, uniforms, temperature, topK, topP);
    },
  };
  return backend;
}
