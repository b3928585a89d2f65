import type { Backend, DeviceBuffer } from "../backend.js";
import { ComputeError } from "../errors.js";
import { cachedAttention, checkCachedAttention, checkCopy, checkKvCacheWrite, kvCacheWrite } from "../reference/decode.js";
import { checkSampleTokens, sampleRows, sampleTokensRows } from "../reference/sampling.js";
import type { FastKernels } from "./kernels.js";
import { ArrayPool, Scratch } from "./pool.js";
import { RopeTables, ropeBackwardFast, ropeForwardFast } from "./rope.js";

/** Contents state: `DIRTY` (what it holds), `ZERO` (holds zeros), `LAZY_ZERO` (logically zero, memory not yet cleared). */
const DIRTY = 0;
const ZERO = 1;
const LAZY_ZERO = 2;

class FastBuffer {
  data: Float32Array | null;
  readonly length: number;
  state: number;
  /** Bumped by every write, so a cached packing of the buffer (`packed`) knows when it is stale. */
  version = 0;
  /** The buffer prepacked as matmul weights (decoding reuses each weight matrix every step). */
  packed: { data: Float32Array; version: number; inDim: number; outDim: number } | null = null;
  constructor(data: Float32Array, state: number) {
    this.data = data;
    this.length = data.length;
    this.state = state;
  }
}

/** Matmuls with at most this many rows use prepacked weights (the packing costs about one small-batch product). */
const PACKED_MAX_ROWS = 256;

/** Options of `createFastCpuBackend`. */
export interface FastCpuBackendOptions {
  /** Idle memory the buffer pool may keep for reuse across steps (default 2 GiB). */
  poolBytes?: number;
}

/** `dst[i] += src[i]` for i < n (unrolled: V8 runs it ~30% faster). */
function addInto(dst: Float32Array, src: Float32Array, n: number): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    dst[i] += src[i];
    dst[i + 1] += src[i + 1];
    dst[i + 2] += src[i + 2];
    dst[i + 3] += src[i + 3];
  }
  for (; i < n; i++) dst[i] += src[i];
}

/** `out[i] = a[i] + b[i]` for i < n (`out` may be `a` or `b`). */
function addTo(out: Float32Array, a: Float32Array, b: Float32Array, n: number): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    out[i] = a[i] + b[i];
    out[i + 1] = a[i + 1] + b[i + 1];
    out[i + 2] = a[i + 2] + b[i + 2];
    out[i + 3] = a[i + 3] + b[i + 3];
  }
  for (; i < n; i++) out[i] = a[i] + b[i];
}

/**
 * The fast CPU backend: every matmul (forward and both backward layouts), the fused logits head, RMSNorm, SwiGLU,
 * attention and AdamW run in the multi-threaded AVX2/FMA kernels of `@sentrl/compute-native`; RoPE (cached
 * tables), residuals and embeddings are tight TypeScript. Freed buffers go to a pool and are reused by the next
 * allocation of the same size, so a training loop does not allocate its activations again every step; zero-filling
 * (`alloc`, `fill(buf, 0)`) is lazy: a kernel that overwrites the whole buffer skips it, and an accumulating kernel
 * whose output is still zero writes instead of adding.
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

  const buffer = (b: DeviceBuffer | undefined, what: string, need: number): FastBuffer & { data: Float32Array } => {
    if (!(b instanceof FastBuffer)) throw new ComputeError("BACKEND_FOREIGN_BUFFER", `${what}: not a buffer of the fast CPU backend (allocate it with this backend's alloc)`);
    if (b.data === null) throw new ComputeError("BACKEND_BUFFER_FREED", `${what}: buffer was freed`);
    if (b.length < need) throw new ComputeError("BACKEND_SHAPE", `${what}: buffer has ${b.length} elements, needs at least ${need}`);
    return b as FastBuffer & { data: Float32Array };
  };
  /** A buffer read (or read and updated) by a kernel: its memory holds its logical contents. */
  const arr = (b: DeviceBuffer | undefined, what: string, need: number): Float32Array => {
    const f = buffer(b, what, need);
    if (f.state === LAZY_ZERO) {
      f.data.fill(0);
      f.state = ZERO;
    }
    return f.data;
  };
  const opt = (b: DeviceBuffer | undefined, what: string, need: number): Float32Array | undefined => (b === undefined ? undefined : arr(b, what, need));
  /** An accumulated output (`+=`) with no write-only variant: materialised, then marked as changed. */
  const upd = (b: DeviceBuffer | undefined, what: string, need: number): Float32Array => {
    const a = arr(b, what, need);
    (b as unknown as FastBuffer).state = DIRTY;
    (b as unknown as FastBuffer).version++;
    return a;
  };
  const optUpd = (b: DeviceBuffer | undefined, what: string, need: number): Float32Array | undefined => (b === undefined ? undefined : upd(b, what, need));
  /** An output whose first `need` values the kernel overwrites (the rest must read as zero if it was zero). */
  const out = (b: DeviceBuffer | undefined, what: string, need: number): Float32Array => {
    const f = buffer(b, what, need);
    if (f.state === LAZY_ZERO && need < f.length) f.data.fill(0, need);
    f.state = DIRTY;
    f.version++;
    return f.data;
  };
  const optOut = (b: DeviceBuffer | undefined, what: string, need: number): Float32Array | undefined => (b === undefined ? undefined : out(b, what, need));
  /**
   * An accumulated output (`+=`): `fresh` when its first `need` values are zero, so the kernel may write them
   * instead of adding (skipping a pass over the memory).
   */
  const acc = (b: DeviceBuffer | undefined, what: string, need: number): { data: Float32Array; fresh: boolean } => {
    const f = buffer(b, what, need);
    const fresh = f.state !== DIRTY;
    if (f.state === LAZY_ZERO && need < f.length) f.data.fill(0, need);
    f.state = DIRTY;
    f.version++;
    return { data: f.data, fresh };
  };
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
      const { data, zeroed } = pool.take(length);
      return new FastBuffer(data, zeroed ? ZERO : LAZY_ZERO) as unknown as DeviceBuffer;
    },
    upload(dst, src, dstOffset = 0) {
      const whole = dstOffset === 0 && src.length === dst.length;
      (whole ? out(dst, "upload", src.length) : upd(dst, "upload", dstOffset + src.length)).set(src, dstOffset);
    },
    download(src, outArr, srcOffset = 0, length) {
      const n = length ?? src.length - srcOffset;
      const a = arr(src, "download", srcOffset + n);
      const o = outArr ?? new Float32Array(n);
      o.set(a.subarray(srcOffset, srcOffset + n));
      return o;
    },
    fill(buf, value = 0) {
      const f = buffer(buf, "fill", 0);
      f.version++;
      if (value === 0 && !Object.is(value, -0)) {
        if (f.state === DIRTY) f.state = LAZY_ZERO;
        return;
      }
      f.data.fill(value);
      f.state = DIRTY;
    },
    free(buf) {
      const f = buffer(buf, "free", 0);
      const data = f.data;
      (f as FastBuffer).data = null;
      (f as FastBuffer).packed = null;
      pool.give(data);
    },
    embeddingForward({ out: o, table, ids, rows, dim, vocab }) {
      dims("embeddingForward", { rows, dim, vocab });
      checkIds("embeddingForward", ids, rows, vocab, false);
      const t = arr(table, "embeddingForward.table", vocab * dim);
      const dst = out(o, "embeddingForward.out", rows * dim);
      for (let r = 0; r < rows; r++) dst.set(t.subarray(ids[r] * dim, ids[r] * dim + dim), r * dim);
    },
    matmulForward({ out: o, x, w, bias, rows, inDim, outDim }) {
      dims("matmulForward", { rows, inDim, outDim });
      const xa = arr(x, "matmulForward.x", rows * inDim);
      const wa = arr(w, "matmulForward.w", outDim * inDim);
      const ba = opt(bias, "matmulForward.bias", outDim);
      if (rows <= PACKED_MAX_ROWS && k.packWeights && k.matmulForwardPacked && o !== w && o !== x) {
        const f = w as unknown as FastBuffer;
        let p = f.packed;
        if (!p || p.version !== f.version || p.inDim !== inDim || p.outDim !== outDim) {
          p = { data: k.packWeights(wa, inDim, outDim), version: f.version, inDim, outDim };
          f.packed = p;
        }
        if (k.matmulForwardPacked({ out: out(o, "matmulForward.out", rows * outDim), x: xa, packed: p.data, bias: ba, rows, inDim, outDim })) return;
        f.packed = null; // made for another ISA: unpacked path below
      }
      k.matmulForward({ out: out(o, "matmulForward.out", rows * outDim), x: xa, w: wa, bias: ba, rows, inDim, outDim });
    },
    rmsnormForward({ out: o, x, weight, rows, dim, eps, rstd }) {
      dims("rmsnormForward", { rows, dim });
      const xa = arr(x, "rmsnormForward.x", rows * dim);
      const wa = arr(weight, "rmsnormForward.weight", dim);
      k.rmsnormForward({ out: out(o, "rmsnormForward.out", rows * dim), x: xa, weight: wa, rows, dim, eps, rstd: optOut(rstd, "rmsnormForward.rstd", rows) });
    },
    ropeForward({ out: o, x, positions, rows, heads, headDim, theta }) {
      dims("ropeForward", { rows, heads, headDim });
      checkRope("ropeForward", positions, rows, headDim);
      const n = rows * heads * headDim;
      const xa = arr(x, "ropeForward.x", n);
      ropeForwardFast(rope, out(o, "ropeForward.out", n), xa, positions, rows, heads, headDim, theta);
    },
    attentionForward({ out: o, q, k: kk, v, batch, seqLen, heads, kvHeads, headDim, keyMask, probs }) {
      dims("attentionForward", { batch, seqLen, heads, kvHeads, headDim });
      checkHeads("attentionForward", heads, kvHeads);
      if (keyMask && keyMask.length < batch * seqLen) throw new ComputeError("BACKEND_SHAPE", `attentionForward: keyMask has ${keyMask.length} entries, needs ${batch * seqLen}`);
      const nq = batch * seqLen * heads * headDim;
      const nk = batch * seqLen * kvHeads * headDim;
      const np = batch * heads * seqLen * seqLen;
      const qa = arr(q, "attentionForward.q", nq);
      const ka = arr(kk, "attentionForward.k", nk);
      const va = arr(v, "attentionForward.v", nk);
      k.attentionForward({
        out: out(o, "attentionForward.out", nq),
        probs: optOut(probs, "attentionForward.probs", np) ?? scratch.get("probs", np),
        q: qa,
        k: ka,
        v: va,
        keyMask,
        batch,
        seqLen,
        heads,
        kvHeads,
        headDim,
      });
    },
    swigluForward({ out: o, gate, up, length }) {
      dims("swigluForward", { length });
      const g = arr(gate, "swigluForward.gate", length);
      const u = arr(up, "swigluForward.up", length);
      k.swigluForward({ out: out(o, "swigluForward.out", length), gate: g, up: u, length });
    },
    residualForward({ out: o, a, b, length }) {
      dims("residualForward", { length });
      const x = arr(a, "residualForward.a", length);
      const y = arr(b, "residualForward.b", length);
      addTo(out(o, "residualForward.out", length), x, y, length);
    },
    logitsStatsForward({ logp, entropy, h, w, targets, rows, dim, vocab, temperature, lse }) {
      dims("logitsStatsForward", { rows, dim, vocab });
      checkTemperature("logitsStatsForward", temperature);
      checkIds("logitsStatsForward", targets, rows, vocab, true);
      const ha = arr(h, "logitsStatsForward.h", rows * dim);
      const wa = arr(w, "logitsStatsForward.w", vocab * dim);
      k.logitsStatsForward({
        logp: out(logp, "logitsStatsForward.logp", rows),
        entropy: out(entropy, "logitsStatsForward.entropy", rows),
        lse: optOut(lse, "logitsStatsForward.lse", rows),
        h: ha,
        w: wa,
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
      const g = arr(dOut, "embeddingBackward.dOut", rows * dim);
      const t = upd(dTable, "embeddingBackward.dTable", vocab * dim);
      for (let r = 0; r < rows; r++) {
        const to = ids[r] * dim;
        const go = r * dim;
        for (let i = 0; i < dim; i++) t[to + i] += g[go + i];
      }
    },
    matmulBackward({ dOut, x, w, dx, dw, dBias, rows, inDim, outDim }) {
      dims("matmulBackward", { rows, inDim, outDim });
      const g = arr(dOut, "matmulBackward.dOut", rows * outDim);
      const xa = dw ? arr(x, "matmulBackward.x", rows * inDim) : undefined;
      const wa = dx ? arr(w, "matmulBackward.w", outDim * inDim) : undefined;
      if (dx && wa) {
        const d = acc(dx, "matmulBackward.dx", rows * inDim);
        k.matmulBackwardInput({ dx: d.data, dout: g, w: wa, rows, inDim, outDim, accumulate: !d.fresh });
      }
      const dba = optUpd(dBias, "matmulBackward.dBias", outDim);
      if (dw && xa) k.matmulBackwardWeight({ dw: upd(dw, "matmulBackward.dw", outDim * inDim), dbias: dba, dout: g, x: xa, rows, inDim, outDim });
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
      const g = arr(dOut, "rmsnormBackward.dOut", n);
      const xa = arr(x, "rmsnormBackward.x", n);
      const wa = arr(weight, "rmsnormBackward.weight", dim);
      const ra = arr(rstd, "rmsnormBackward.rstd", rows);
      const d = acc(dx, "rmsnormBackward.dx", n);
      k.rmsnormBackward({ dx: d.data, dweight: optUpd(dWeight, "rmsnormBackward.dWeight", dim), dout: g, x: xa, weight: wa, rstd: ra, rows, dim, accumulate: !d.fresh });
    },
    ropeBackward({ dOut, dx, positions, rows, heads, headDim, theta }) {
      dims("ropeBackward", { rows, heads, headDim });
      checkRope("ropeBackward", positions, rows, headDim);
      const n = rows * heads * headDim;
      const g = arr(dOut, "ropeBackward.dOut", n);
      const d = acc(dx, "ropeBackward.dx", n);
      ropeBackwardFast(rope, d.data, g, positions, rows, heads, headDim, theta, !d.fresh);
    },
    attentionBackward({ dOut, q, k: kk, v, probs, dq, dk, dv, batch, seqLen, heads, kvHeads, headDim }) {
      dims("attentionBackward", { batch, seqLen, heads, kvHeads, headDim });
      checkHeads("attentionBackward", heads, kvHeads);
      const nq = batch * seqLen * heads * headDim;
      const nk = batch * seqLen * kvHeads * headDim;
      const inputs = {
        dout: arr(dOut, "attentionBackward.dOut", nq),
        probs: arr(probs, "attentionBackward.probs", batch * heads * seqLen * seqLen),
        q: arr(q, "attentionBackward.q", nq),
        k: arr(kk, "attentionBackward.k", nk),
        v: arr(v, "attentionBackward.v", nk),
      };
      // The native kernel overwrites its outputs; the contract accumulates: write straight into outputs that are
      // still zero, through scratch (then add) into the others.
      const dqa = acc(dq, "attentionBackward.dq", nq);
      const dka = acc(dk, "attentionBackward.dk", nk);
      const dva = acc(dv, "attentionBackward.dv", nk);
      const sq = dqa.fresh ? dqa.data : scratch.get("attn.dq", nq);
      const sk = dka.fresh ? dka.data : scratch.get("attn.dk", nk);
      const sv = dva.fresh ? dva.data : scratch.get("attn.dv", nk);
      k.attentionBackward({ dq: sq, dk: sk, dv: sv, ...inputs, batch, seqLen, heads, kvHeads, headDim });
      if (!dqa.fresh) addInto(dqa.data, sq, nq);
      if (!dka.fresh) addInto(dka.data, sk, nk);
      if (!dva.fresh) addInto(dva.data, sv, nk);
    },
    swigluBackward({ dOut, gate, up, dGate, dUp, length }) {
      dims("swigluBackward", { length });
      const g = arr(dOut, "swigluBackward.dOut", length);
      const ga = arr(gate, "swigluBackward.gate", length);
      const ua = arr(up, "swigluBackward.up", length);
      const dg = acc(dGate, "swigluBackward.dGate", length);
      const du = acc(dUp, "swigluBackward.dUp", length);
      const sg = dg.fresh ? dg.data : scratch.get("swiglu.dgate", length);
      const su = du.fresh ? du.data : scratch.get("swiglu.dup", length);
      k.swigluBackward({ dgate: sg, dup: su, dout: g, gate: ga, up: ua, length });
      if (!dg.fresh) addInto(dg.data, sg, length);
      if (!du.fresh) addInto(du.data, su, length);
    },
    residualBackward({ dOut, da, db, length }) {
      dims("residualBackward", { length });
      const g = arr(dOut, "residualBackward.dOut", length);
      for (const [b, what] of [
        [da, "residualBackward.da"],
        [db, "residualBackward.db"],
      ] as const) {
        if (!b) continue;
        const d = acc(b, what, length);
        if (d.fresh) d.data.set(g.subarray(0, length));
        else addInto(d.data, g, length);
      }
    },
    logitsStatsBackward({ h, w, targets, lse, entropy, dLogp, dEntropy, dh, dw, rows, dim, vocab, temperature }) {
      dims("logitsStatsBackward", { rows, dim, vocab });
      checkTemperature("logitsStatsBackward", temperature);
      checkIds("logitsStatsBackward", targets, rows, vocab, true);
      if (!dh && !dw) return;
      const inputs = {
        h: arr(h, "logitsStatsBackward.h", rows * dim),
        w: arr(w, "logitsStatsBackward.w", vocab * dim),
        lse: arr(lse, "logitsStatsBackward.lse", rows),
        entropy: arr(entropy, "logitsStatsBackward.entropy", rows),
        dlogp: arr(dLogp, "logitsStatsBackward.dLogp", rows),
        dentropy: opt(dEntropy, "logitsStatsBackward.dEntropy", rows),
      };
      const dha = dh ? acc(dh, "logitsStatsBackward.dh", rows * dim) : { data: scratch.get("logits.dh", rows * dim), fresh: true };
      const dwa = dw ? upd(dw, "logitsStatsBackward.dw", vocab * dim) : scratch.get("logits.dw", vocab * dim);
      k.logitsStatsBackward({ dh: dha.data, dw: dwa, targets, ...inputs, rows, dim, vocab, temperature, accumulate: !dha.fresh });
    },
    adamwStep({ params, lr, beta1, beta2, eps, weightDecay, step, maxGradNorm }) {
      if (!(Number.isInteger(step) && step >= 1)) throw new ComputeError("BACKEND_BAD_ARGUMENT", `adamwStep: step must be an integer ≥ 1, got ${step}`);
      const tensors = params.map((p, i) => {
        const n = p.param.length;
        for (const [name, b] of [["grad", p.grad], ["m", p.m], ["v", p.v]] as const) {
          if (b.length !== n) throw new ComputeError("BACKEND_SHAPE", `adamwStep: params[${i}].${name} has ${b.length} elements, param has ${n}`);
        }
        return {
          param: upd(p.param, `adamwStep.params[${i}].param`, n),
          grad: arr(p.grad, `adamwStep.params[${i}].grad`, n),
          m: upd(p.m, `adamwStep.params[${i}].m`, n),
          v: upd(p.v, `adamwStep.params[${i}].v`, n),
          weightDecay: p.weightDecay ?? weightDecay,
        };
      });
      let ss = 0;
      for (const t of tensors) ss += k.sumSquares(t.grad);
      const gradNorm = Math.sqrt(ss);
      if (!Number.isFinite(gradNorm)) return { gradNorm, clipCoef: 1, applied: false }; // the rule on AdamWArgs
      const clipCoef = maxGradNorm !== undefined && maxGradNorm > 0 && Number.isFinite(maxGradNorm) ? Math.min(1, maxGradNorm / (gradNorm + 1e-6)) : 1;
      for (const t of tensors) k.adamwUpdate({ ...t, lr, beta1, beta2, eps, step, gradScale: clipCoef });
      return { gradNorm, clipCoef, applied: true };
    },
    sample({ logits, rows, vocab, uniforms, temperature, topK, topP }) {
      dims("sample", { rows, vocab });
      return sampleRows(arr(logits, "sample.logits", rows * vocab), rows, vocab, uniforms, temperature, topK, topP);
    },
    copy({ dst, src, length, dstOffset = 0, srcOffset = 0 }) {
      checkCopy(dst.length, src.length, length, dstOffset, srcOffset);
      const sa = arr(src, "copy.src", srcOffset + length);
      const whole = dstOffset === 0 && length === dst.length;
      const da = whole ? out(dst, "copy.dst", length) : upd(dst, "copy.dst", dstOffset + length);
      da.set(sa.subarray(srcOffset, srcOffset + length), dstOffset);
    },
    kvCacheWrite({ cache, src, slots, positions, rows, capacity, width }) {
      checkKvCacheWrite(cache.length, slots, positions, rows, capacity, width);
      const sa = arr(src, "kvCacheWrite.src", rows * width);
      kvCacheWrite(upd(cache, "kvCacheWrite.cache", 0), sa, slots, positions, rows, capacity, width);
    },
    cachedAttention({ out: o, q, kCache, vCache, slots, lengths, rows, capacity, heads, kvHeads, headDim }) {
      checkCachedAttention(Math.min(kCache.length, vCache.length), slots, lengths, rows, capacity, heads, kvHeads, headDim);
      const n = rows * heads * headDim;
      const qa = arr(q, "cachedAttention.q", n);
      const ka = arr(kCache, "cachedAttention.kCache", 0);
      const va = arr(vCache, "cachedAttention.vCache", 0);
      const oa = out(o, "cachedAttention.out", n);
      if (k.cachedAttention) k.cachedAttention({ out: oa, q: qa, kCache: ka, vCache: va, slots, lengths, rows, capacity, heads, kvHeads, headDim });
      else cachedAttention(oa, qa, ka, va, slots, lengths, rows, capacity, heads, kvHeads, headDim);
    },
    sampleTokens({ logits, rows, vocab, uniforms, temperature, topK, topP }) {
      dims("sampleTokens", { rows, vocab });
      const la = arr(logits, "sampleTokens.logits", rows * vocab);
      if (!k.sampleUnfiltered || rows === 0) return sampleTokensRows(la, rows, vocab, uniforms, temperature, topK, topP);
      checkSampleTokens(rows, uniforms, temperature, topK, topP);
      // Plain and greedy rows in the native kernel; rows with top-k/top-p through the TypeScript sampler.
      const which = new Uint8Array(rows);
      for (let r = 0; r < rows; r++) which[r] = (!topK || topK[r] === 0 || topK[r] >= vocab) && (!topP || topP[r] >= 1) ? 1 : 0;
      const ids = new Int32Array(rows);
      const logprobs = new Float32Array(rows);
      k.sampleUnfiltered({ logits: la, rows, vocab, uniforms: Float64Array.from(uniforms), temperature: Float64Array.from(temperature), which, ids, logprobs });
      for (let r = 0; r < rows; r++) {
        if (which[r]) continue;
        const one = sampleTokensRows(la.subarray(r * vocab, (r + 1) * vocab), 1, vocab, [uniforms[r]], [temperature[r]], [topK ? topK[r] : 0], [topP ? topP[r] : 1]);
        ids[r] = one.ids[0];
        logprobs[r] = one.logprobs[0];
      }
      return { ids, logprobs };
    },
  };
  return backend;
}
