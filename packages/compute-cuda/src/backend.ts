import {
  type AdamWArgs,
  type AdamWResult,
  type Backend,
  BackendUnavailableError,
  ComputeError,
  type DeviceBuffer,
  ropeInvFreq,
  type SampledTokens,
} from "@sentrl/compute";
import { dims, enoughIndices, gqaHeads, indicesInRange, positiveTemperature, samplerSettings } from "./checks.js";
import { loadCublas } from "./cublas.js";
import { loadCudaDriver } from "./driver.js";
import { cublasGemm, type Gemm, kernelGemm, linear } from "./gemm.js";
import { probeCuda } from "./probe.js";
import { CudaRuntime, defaultPtxDir, type KernelArg } from "./runtime.js";

export interface CudaBackendOptions {
  /** GPU ordinal (default 0). */
  device?: number;
  /** The driver library (default `SENTRL_LIBCUDA`, else `libcuda.so.1`); the emulator passes its own. */
  driverLibrary?: string;
  /** Folder of the kernels' PTX (default: the package's committed `ptx/`). */
  ptxDir?: string;
  /** cuBLAS: a library path, `false` for our tiled SGEMM, or absent to search (`findCublas`) and fall back. */
  cublas?: string | false;
  /** Threads per block of the row-wise and elementwise kernels (a multiple of 32, ≤ 1024; default 256). */
  threads?: number;
  /** The name the backend reports (default `"cuda"`). */
  name?: string;
}

/** Facts about a CUDA backend instance (what `describeCudaBackend` returns). */
export interface CudaBackendInfo {
  driverLibrary: string;
  gemm: "cublas" | "sgemm";
  cublasLibrary?: string;
  cublasReason?: string;
  threads: number;
}

class CudaBuffer {
  constructor(
    readonly ptr: bigint,
    readonly length: number,
    readonly owner: object,
  ) {}
  freed = false;
}

const LOGITS_CHUNK_FLOATS = 1 << 22; // at most 16 MiB of logits per vocabulary chunk
const info = new WeakMap<Backend, CudaBackendInfo>();
const runtimes = new Map<string, CudaRuntime>();

/** What a backend made by `createCudaBackend`/`createCudaEmulatorBackend` runs on (GEMM path, library, threads). */
export function describeCudaBackend(backend: Backend): CudaBackendInfo | undefined {
  return info.get(backend);
}

/**
 * The CUDA backend: every kernel of the Backend contract as CUDA C (`kernels/*.cu`, JIT-loaded from the committed
 * PTX through the driver API), GEMMs through cuBLAS when it loads (dlopen, see `findCublas`), our tiled SGEMM
 * otherwise. Reductions run in a fixed order, so repeated runs are bit-identical. Without a GPU or driver it throws
 * `BackendUnavailableError` with the reason, never crashes.
 *
 * @example
 * ```ts
 * import { createCudaBackend } from "@sentrl/compute-cuda";
 * import { createDefaultBackend } from "@sentrl/compute";
 * let backend;
 * try { backend = createCudaBackend(); } catch (e) { backend = await createDefaultBackend(); }
 * ```
 */
export function createCudaBackend(options: CudaBackendOptions = {}): Backend {
  const env = options.driverLibrary ? { ...process.env, SENTRL_LIBCUDA: options.driverLibrary } : process.env;
  const probe = probeCuda(env);
  if (!probe.available) throw new BackendUnavailableError("cuda", probe.reason);
  const ordinal = options.device ?? 0;
  if (!probe.devices.some((d) => d.ordinal === ordinal)) {
    throw new BackendUnavailableError("cuda", `no GPU with ordinal ${ordinal} (found ${probe.devices.length})`);
  }
  const driver = loadCudaDriver(env);
  if (typeof driver === "string") throw new BackendUnavailableError("cuda", driver);
  const ptxDir = options.ptxDir ?? defaultPtxDir();
  // One runtime (context, JIT-loaded modules, memory pool) per driver library, device and PTX folder in a process.
  const key = `${driver.library}\0${ordinal}\0${ptxDir}`;
  let rt = runtimes.get(key);
  if (!rt) {
    rt = new CudaRuntime(driver, ordinal, ptxDir);
    runtimes.set(key, rt);
  }
  let gemm: Gemm = kernelGemm(rt);
  let cublasLibrary: string | undefined;
  let cublasReason: string | undefined = "disabled";
  if (options.cublas !== false) {
    const lib = loadCublas(process.env, options.cublas);
    if (typeof lib === "string") cublasReason = lib;
    else {
      gemm = cublasGemm(lib);
      cublasLibrary = lib.library;
      cublasReason = undefined;
    }
  }
  const threads = options.threads ?? 256;
  if (!(Number.isInteger(threads) && threads >= 32 && threads <= 1024 && threads % 32 === 0)) {
    throw new ComputeError("BACKEND_BAD_ARGUMENT", `threads must be a multiple of 32 in [32, 1024], got ${threads}`);
  }
  const backend = makeBackend(rt, gemm, threads, options.name ?? "cuda");
  info.set(backend, { driverLibrary: driver.library, gemm: gemm.name, cublasLibrary, cublasReason, threads });
  return backend;
}

function makeBackend(rt: CudaRuntime, gemm: Gemm, T: number, name: string): Backend {
  const owner = {};
  const buf = (b: DeviceBuffer | undefined, what: string, need: number): bigint => {
    if (!(b instanceof CudaBuffer) || b.owner !== owner)
      throw new ComputeError(
        "BACKEND_FOREIGN_BUFFER",
        `${what}: not a buffer of this CUDA backend (allocate it with this backend's alloc)`,
      );
    if (b.freed) throw new ComputeError("BACKEND_BUFFER_FREED", `${what}: buffer was freed`);
    if (b.length < need)
      throw new ComputeError("BACKEND_SHAPE", `${what}: buffer has ${b.length} elements, needs at least ${need}`);
    return b.ptr;
  };
  const opt = (b: DeviceBuffer | undefined, what: string, need: number): bigint | undefined =>
    b === undefined ? undefined : buf(b, what, need);
  const at = (ptr: bigint, floats: number): bigint => ptr + BigInt(floats * 4);
  const grid = (n: number): number => Math.max(1, Math.min(Math.ceil(n / T), 1 << 16));
  const launch = (k: string, g: number | [number, number, number], args: KernelArg[], threads = T) =>
    rt.launch(k, g, threads, args);
  /** A device scratch of `bytes` for the duration of `fn`. */
  const scratch = <R>(bytes: number, fn: (ptr: bigint) => R): R => {
    const n = Math.max(8, bytes);
    const ptr = rt.alloc(n);
    try {
      return fn(ptr);
    } finally {
      rt.release(ptr, n);
    }
  };
  const staged = <R>(data: Int32Array | Float32Array | Float64Array, fn: (ptr: bigint) => R): R => {
    const s = rt.stage(data);
    try {
      return fn(s.ptr);
    } finally {
      s.free();
    }
  };
  const invFreq = new Map<string, bigint>();
  const ropeTable = (headDim: number, theta: number): bigint => {
    const key = `${headDim}/${theta}`;
    let p = invFreq.get(key);
    if (p === undefined) {
      p = rt.stage(ropeInvFreq(headDim, theta)).ptr; // kept for the backend's lifetime (a few hundred bytes)
      invFreq.set(key, p);
    }
    return p;
  };
  const f32bits = new Uint32Array(1);
  const f32 = new Float32Array(f32bits.buffer);

  const sampleImpl = (
    what: string,
    logits: DeviceBuffer,
    rows: number,
    vocab: number,
    s: ReturnType<typeof samplerSettings>,
  ): SampledTokens => {
    const lp = buf(logits, `${what}.logits`, rows * vocab);
    const ids = new Int32Array(rows);
    const logprobs = new Float32Array(rows);
    if (rows === 0) return { ids, logprobs };
    if (vocab === 0) throw new ComputeError("BACKEND_SHAPE", `${what}: vocab must be positive`);
    let stride = 1;
    for (let r = 0; r < rows; r++) {
      if (s.t[r] === 0) continue;
      const k = s.k[r] > 0 && s.k[r] < vocab ? s.k[r] : vocab;
      if (k < vocab || s.p[r] < 1) stride = Math.max(stride, k);
    }
    staged(s.u, (u) =>
      staged(s.t, (t) =>
        staged(s.k, (k) =>
          staged(s.p, (p) =>
            scratch(rows * 8, (out) =>
              scratch(rows * stride * 4, (cand) => {
                launch(
                  "sample_rows",
                  rows,
                  [
                    ["p", out],
                    ["p", at(out, rows)],
                    ["p", cand],
                    ["q", stride],
                    ["p", lp],
                    ["i", vocab],
                    ["p", u],
                    ["p", t],
                    ["p", k],
                    ["p", p],
                  ],
                  256,
                );
                rt.check(rt.driver.memcpyDtoH(ids, out, rows * 4), "cuMemcpyDtoH");
                rt.check(rt.driver.memcpyDtoH(logprobs, at(out, rows), rows * 4), "cuMemcpyDtoH");
              }),
            ),
          ),
        ),
      ),
    );
    return { ids, logprobs };
  };

  const backend: Backend = {
    name,
    alloc(length) {
      dims("alloc", { length });
      const ptr = rt.alloc(Math.max(4, length * 4));
      if (length > 0) rt.check(rt.driver.memsetD32(ptr, 0, length), "cuMemsetD32");
      return new CudaBuffer(ptr, length, owner) as unknown as DeviceBuffer;
    },
    upload(dst, src, dstOffset = 0) {
      const p = buf(dst, "upload", dstOffset + src.length);
      if (src.length > 0) rt.check(rt.driver.memcpyHtoD(at(p, dstOffset), src, src.length * 4), "cuMemcpyHtoD");
    },
    download(src, out, srcOffset = 0, length) {
      const n = length ?? src.length - srcOffset;
      const p = buf(src, "download", srcOffset + n);
      const o = out ?? new Float32Array(n);
      if (n > 0)
        rt.check(rt.driver.memcpyDtoH(o.length === n ? o : o.subarray(0, n), at(p, srcOffset), n * 4), "cuMemcpyDtoH");
      return o;
    },
    fill(b, value = 0) {
      const p = buf(b, "fill", 0);
      f32[0] = value;
      if (b.length > 0) rt.check(rt.driver.memsetD32(p, f32bits[0], b.length), "cuMemsetD32");
    },
    free(b) {
      const p = buf(b, "free", 0);
      (b as unknown as CudaBuffer).freed = true;
      rt.release(p, Math.max(4, b.length * 4));
    },

    embeddingForward({ out, table, ids, rows, dim, vocab }) {
      dims("embeddingForward", { rows, dim, vocab });
      enoughIndices("embeddingForward", "ids", ids.length, rows);
      const o = buf(out, "embeddingForward.out", rows * dim);
      const t = buf(table, "embeddingForward.table", vocab * dim);
      indicesInRange("embeddingForward", "id", ids, rows, vocab);
      if (rows * dim === 0) return;
      staged(ids.subarray(0, rows), (i) =>
        launch("embedding_forward", rows, [
          ["p", o],
          ["p", t],
          ["p", i],
          ["i", rows],
          ["i", dim],
        ]),
      );
    },
    embeddingBackward({ dTable, dOut, ids, rows, dim, vocab }) {
      dims("embeddingBackward", { rows, dim, vocab });
      enoughIndices("embeddingBackward", "ids", ids.length, rows);
      const dt = buf(dTable, "embeddingBackward.dTable", vocab * dim);
      const d = buf(dOut, "embeddingBackward.dOut", rows * dim);
      indicesInRange("embeddingBackward", "id", ids, rows, vocab);
      if (rows * dim === 0) return;
      staged(ids.subarray(0, rows), (i) =>
        launch("embedding_backward", Math.ceil(dim / T), [
          ["p", dt],
          ["p", d],
          ["p", i],
          ["i", rows],
          ["i", dim],
        ]),
      );
    },
    matmulForward({ out, x, w, bias, rows, inDim, outDim }) {
      dims("matmulForward", { rows, inDim, outDim });
      const o = buf(out, "matmulForward.out", rows * outDim);
      const xp = buf(x, "matmulForward.x", rows * inDim);
      const wp = buf(w, "matmulForward.w", outDim * inDim);
      const bp = opt(bias, "matmulForward.bias", outDim);
      linear.forward(gemm, o, xp, wp, rows, inDim, outDim);
      if (bp !== undefined && rows * outDim > 0)
        launch("bias_add", grid(rows * outDim), [
          ["p", o],
          ["p", bp],
          ["i", rows],
          ["i", outDim],
        ]);
    },
    matmulBackward({ dOut, x, w, dx, dw, dBias, rows, inDim, outDim }) {
      dims("matmulBackward", { rows, inDim, outDim });
      const d = buf(dOut, "matmulBackward.dOut", rows * outDim);
      const xp = buf(x, "matmulBackward.x", rows * inDim);
      const wp = buf(w, "matmulBackward.w", outDim * inDim);
      const dxp = opt(dx, "matmulBackward.dx", rows * inDim);
      const dwp = opt(dw, "matmulBackward.dw", outDim * inDim);
      const dbp = opt(dBias, "matmulBackward.dBias", outDim);
      if (dxp !== undefined) linear.inputGrad(gemm, dxp, d, wp, rows, inDim, outDim);
      if (dwp !== undefined) linear.weightGrad(gemm, dwp, d, xp, rows, inDim, outDim);
      if (dbp !== undefined && outDim > 0)
        launch("bias_backward", Math.ceil(outDim / T), [
          ["p", dbp],
          ["p", d],
          ["i", rows],
          ["i", outDim],
        ]);
    },
    rmsnormForward({ out, x, weight, rows, dim, eps, rstd }) {
      dims("rmsnormForward", { rows, dim });
      const o = buf(out, "rmsnormForward.out", rows * dim);
      const xp = buf(x, "rmsnormForward.x", rows * dim);
      const wp = buf(weight, "rmsnormForward.weight", dim);
      const rp = opt(rstd, "rmsnormForward.rstd", rows);
      launch("rmsnorm_forward", rows, [
        ["p", o],
        ["p", rp ?? o],
        ["p", xp],
        ["p", wp],
        ["i", rows],
        ["i", dim],
        ["d", eps],
        ["i", rp === undefined ? 0 : 1],
      ]);
    },
    rmsnormBackward({ dOut, x, weight, rstd, dx, dWeight, rows, dim }) {
      dims("rmsnormBackward", { rows, dim });
      const n = rows * dim;
      const d = buf(dOut, "rmsnormBackward.dOut", n);
      const xp = buf(x, "rmsnormBackward.x", n);
      const wp = buf(weight, "rmsnormBackward.weight", dim);
      const rp = buf(rstd, "rmsnormBackward.rstd", rows);
      const dxp = buf(dx, "rmsnormBackward.dx", n);
      const dwp = opt(dWeight, "rmsnormBackward.dWeight", dim);
      launch("rmsnorm_backward", rows, [
        ["p", dxp],
        ["p", d],
        ["p", xp],
        ["p", wp],
        ["p", rp],
        ["i", rows],
        ["i", dim],
      ]);
      if (dwp !== undefined && dim > 0)
        launch("rmsnorm_dweight", Math.ceil(dim / T), [
          ["p", dwp],
          ["p", d],
          ["p", xp],
          ["p", rp],
          ["i", rows],
          ["i", dim],
        ]);
    },
    ropeForward({ out, x, positions, rows, heads, headDim, theta }) {
      dims("ropeForward", { rows, heads, headDim });
      if (headDim % 2 !== 0)
        throw new ComputeError("BACKEND_SHAPE", `ropeForward: headDim must be even, got ${headDim}`);
      enoughIndices("ropeForward", "positions", positions.length, rows);
      const n = rows * heads * headDim;
      const o = buf(out, "ropeForward.out", n);
      const xp = buf(x, "ropeForward.x", n);
      if (n === 0) return;
      const inv = ropeTable(headDim, theta);
      staged(positions.subarray(0, rows), (pp) =>
        launch("rope_forward", grid(n / 2), [
          ["p", o],
          ["p", xp],
          ["p", pp],
          ["p", inv],
          ["i", rows],
          ["i", heads],
          ["i", headDim],
        ]),
      );
    },
    ropeBackward({ dOut, dx, positions, rows, heads, headDim, theta }) {
      dims("ropeBackward", { rows, heads, headDim });
      if (headDim % 2 !== 0)
        throw new ComputeError("BACKEND_SHAPE", `ropeBackward: headDim must be even, got ${headDim}`);
      enoughIndices("ropeBackward", "positions", positions.length, rows);
      const n = rows * heads * headDim;
      const dxp = buf(dx, "ropeBackward.dx", n);
      const d = buf(dOut, "ropeBackward.dOut", n);
      if (n === 0) return;
      const inv = ropeTable(headDim, theta);
      staged(positions.subarray(0, rows), (pp) =>
        launch("rope_backward", grid(n / 2), [
          ["p", dxp],
          ["p", d],
          ["p", pp],
          ["p", inv],
          ["i", rows],
          ["i", heads],
          ["i", headDim],
        ]),
      );
    },
    attentionForward({ out, q, k, v, batch, seqLen, heads, kvHeads, headDim, keyMask, probs }) {
      dims("attentionForward", { batch, seqLen, heads, kvHeads, headDim });
      gqaHeads("attentionForward", heads, kvHeads);
      if (keyMask && keyMask.length < batch * seqLen)
        throw new ComputeError(
          "BACKEND_SHAPE",
          `attentionForward: keyMask has ${keyMask.length} entries, needs ${batch * seqLen}`,
        );
      const nq = batch * seqLen * heads * headDim;
      const nk = batch * seqLen * kvHeads * headDim;
      const np = batch * heads * seqLen * seqLen;
      const o = buf(out, "attentionForward.out", nq);
      const qp = buf(q, "attentionForward.q", nq);
      const kp = buf(k, "attentionForward.k", nk);
      const vp = buf(v, "attentionForward.v", nk);
      const pp = opt(probs, "attentionForward.probs", np);
      if (np === 0) return;
      const scale = 1 / Math.sqrt(headDim);
      const mask = keyMask ? Int32Array.from(keyMask.subarray(0, batch * seqLen)) : new Int32Array(1);
      const run = (P: bigint) =>
        staged(mask, (m) => {
          launch("attention_probs", batch * heads * seqLen, [
            ["p", P],
            ["p", qp],
            ["p", kp],
            ["p", m],
            ["i", keyMask ? 1 : 0],
            ["i", seqLen],
            ["i", heads],
            ["i", kvHeads],
            ["i", headDim],
            ["d", scale],
          ]);
          if (nq > 0)
            launch("attention_output", grid(nq), [
              ["p", o],
              ["p", P],
              ["p", vp],
              ["i", batch],
              ["i", seqLen],
              ["i", heads],
              ["i", kvHeads],
              ["i", headDim],
            ]);
        });
      if (pp !== undefined) run(pp);
      else scratch(np * 4, run);
    },
    attentionBackward({ dOut, q, k, v, probs, dq, dk, dv, batch, seqLen, heads, kvHeads, headDim }) {
      dims("attentionBackward", { batch, seqLen, heads, kvHeads, headDim });
      gqaHeads("attentionBackward", heads, kvHeads);
      const nq = batch * seqLen * heads * headDim;
      const nk = batch * seqLen * kvHeads * headDim;
      const np = batch * heads * seqLen * seqLen;
      const d = buf(dOut, "attentionBackward.dOut", nq);
      const qp = buf(q, "attentionBackward.q", nq);
      const kp = buf(k, "attentionBackward.k", nk);
      const vp = buf(v, "attentionBackward.v", nk);
      const pp = buf(probs, "attentionBackward.probs", np);
      const dqp = buf(dq, "attentionBackward.dq", nq);
      const dkp = buf(dk, "attentionBackward.dk", nk);
      const dvp = buf(dv, "attentionBackward.dv", nk);
      if (np === 0 || headDim === 0) return;
      const scale = 1 / Math.sqrt(headDim);
      scratch(np * 4, (ds) => {
        launch("attention_dscores", batch * heads * seqLen, [
          ["p", ds],
          ["p", pp],
          ["p", d],
          ["p", vp],
          ["i", seqLen],
          ["i", heads],
          ["i", kvHeads],
          ["i", headDim],
        ]);
        launch("attention_dq", grid(nq), [
          ["p", dqp],
          ["p", ds],
          ["p", kp],
          ["i", batch],
          ["i", seqLen],
          ["i", heads],
          ["i", kvHeads],
          ["i", headDim],
          ["d", scale],
        ]);
        launch("attention_dkv", grid(nk), [
          ["p", dkp],
          ["p", dvp],
          ["p", ds],
          ["p", pp],
          ["p", qp],
          ["p", d],
          ["i", batch],
          ["i", seqLen],
          ["i", heads],
          ["i", kvHeads],
          ["i", headDim],
          ["d", scale],
        ]);
      });
    },
    swigluForward({ out, gate, up, length }) {
      dims("swigluForward", { length });
      const a: KernelArg[] = [
        ["p", buf(out, "swigluForward.out", length)],
        ["p", buf(gate, "swigluForward.gate", length)],
        ["p", buf(up, "swigluForward.up", length)],
        ["q", length],
      ];
      if (length > 0) launch("swiglu_forward", grid(length), a);
    },
    swigluBackward({ dOut, gate, up, dGate, dUp, length }) {
      dims("swigluBackward", { length });
      const a: KernelArg[] = [
        ["p", buf(dOut, "swigluBackward.dOut", length)],
        ["p", buf(gate, "swigluBackward.gate", length)],
        ["p", buf(up, "swigluBackward.up", length)],
        ["p", buf(dGate, "swigluBackward.dGate", length)],
        ["p", buf(dUp, "swigluBackward.dUp", length)],
        ["q", length],
      ];
      if (length > 0) launch("swiglu_backward", grid(length), a);
    },
    residualForward({ out, a, b, length }) {
      dims("residualForward", { length });
      const args: KernelArg[] = [
        ["p", buf(out, "residualForward.out", length)],
        ["p", buf(a, "residualForward.a", length)],
        ["p", buf(b, "residualForward.b", length)],
        ["q", length],
      ];
      if (length > 0) launch("residual_forward", grid(length), args);
    },
    residualBackward({ dOut, da, db, length }) {
      dims("residualBackward", { length });
      const d = buf(dOut, "residualBackward.dOut", length);
      for (const [g, what] of [
        [da, "da"],
        [db, "db"],
      ] as const) {
        const p = opt(g, `residualBackward.${what}`, length);
        if (p !== undefined && length > 0)
          launch("accumulate", grid(length), [
            ["p", p],
            ["p", d],
            ["q", length],
          ]);
      }
    },
    logitsStatsForward({ logp, entropy, h, w, targets, rows, dim, vocab, temperature, lse }) {
      dims("logitsStatsForward", { rows, dim, vocab });
      enoughIndices("logitsStatsForward", "targets", targets.length, rows);
      positiveTemperature("logitsStatsForward", temperature);
      const lp = buf(logp, "logitsStatsForward.logp", rows);
      const ep = buf(entropy, "logitsStatsForward.entropy", rows);
      const hp = buf(h, "logitsStatsForward.h", rows * dim);
      const wp = buf(w, "logitsStatsForward.w", vocab * dim);
      const sp = opt(lse, "logitsStatsForward.lse", rows);
      indicesInRange("logitsStatsForward", "target", targets, rows, vocab, true);
      if (rows === 0) return;
      const invT = 1 / temperature;
      const chunk = Math.max(1, Math.min(vocab, Math.floor(LOGITS_CHUNK_FLOATS / rows)));
      staged(targets.subarray(0, rows), (tp) =>
        scratch(rows * 32, (stats) => {
          launch("logits_stats_init", Math.ceil(rows / T), [
            ["p", stats],
            ["i", rows],
          ]);
          if (vocab > 0)
            scratch(rows * chunk * 4, (z) => {
              for (let v0 = 0; v0 < vocab; v0 += chunk) {
                const n = Math.min(chunk, vocab - v0);
                linear.forward(gemm, z, hp, at(wp, v0 * dim), rows, dim, n);
                launch("logits_chunk_stats", rows, [
                  ["p", stats],
                  ["p", z],
                  ["p", tp],
                  ["i", n],
                  ["i", v0],
                  ["d", invT],
                ]);
              }
            });
          launch("logits_finish", Math.ceil(rows / T), [
            ["p", lp],
            ["p", ep],
            ["p", sp ?? lp],
            ["i", sp === undefined ? 0 : 1],
            ["p", stats],
            ["p", tp],
            ["i", rows],
          ]);
        }),
      );
    },
    logitsStatsBackward({ h, w, targets, lse, entropy, dLogp, dEntropy, dh, dw, rows, dim, vocab, temperature }) {
      dims("logitsStatsBackward", { rows, dim, vocab });
      enoughIndices("logitsStatsBackward", "targets", targets.length, rows);
      positiveTemperature("logitsStatsBackward", temperature);
      const hp = buf(h, "logitsStatsBackward.h", rows * dim);
      const wp = buf(w, "logitsStatsBackward.w", vocab * dim);
      const lsep = buf(lse, "logitsStatsBackward.lse", rows);
      const ep = buf(entropy, "logitsStatsBackward.entropy", rows);
      const glp = buf(dLogp, "logitsStatsBackward.dLogp", rows);
      const gep = opt(dEntropy, "logitsStatsBackward.dEntropy", rows);
      const dhp = opt(dh, "logitsStatsBackward.dh", rows * dim);
      const dwp = opt(dw, "logitsStatsBackward.dw", vocab * dim);
      indicesInRange("logitsStatsBackward", "target", targets, rows, vocab, true);
      if (rows === 0 || vocab === 0 || (dhp === undefined && dwp === undefined)) return;
      const invT = 1 / temperature;
      const chunk = Math.max(1, Math.min(vocab, Math.floor(LOGITS_CHUNK_FLOATS / rows)));
      staged(targets.subarray(0, rows), (tp) =>
        scratch(rows * chunk * 4, (z) => {
          for (let v0 = 0; v0 < vocab; v0 += chunk) {
            const n = Math.min(chunk, vocab - v0);
            linear.forward(gemm, z, hp, at(wp, v0 * dim), rows, dim, n);
            launch("logits_dz", rows, [
              ["p", z],
              ["p", tp],
              ["p", lsep],
              ["p", ep],
              ["p", glp],
              ["p", gep ?? glp],
              ["i", gep === undefined ? 0 : 1],
              ["i", n],
              ["i", v0],
              ["d", invT],
            ]);
            if (dhp !== undefined) linear.inputGrad(gemm, dhp, z, at(wp, v0 * dim), rows, dim, n);
            if (dwp !== undefined) linear.weightGrad(gemm, at(dwp, v0 * dim), z, hp, rows, dim, n);
          }
        }),
      );
    },
    adamwStep({ params, lr, beta1, beta2, eps, weightDecay, step, maxGradNorm }: AdamWArgs): AdamWResult {
      if (!(Number.isInteger(step) && step >= 1))
        throw new ComputeError("BACKEND_BAD_ARGUMENT", `adamwStep: step must be an integer ≥ 1, got ${step}`);
      const tensors = params.map((p, i) => {
        const n = p.param.length;
        for (const [k, b] of [
          ["grad", p.grad],
          ["m", p.m],
          ["v", p.v],
        ] as const) {
          if (b.length !== n)
            throw new ComputeError(
              "BACKEND_SHAPE",
              `adamwStep: params[${i}].${k} has ${b.length} elements, param has ${n}`,
            );
        }
        const w = `adamwStep.params[${i}]`;
        return {
          n,
          param: buf(p.param, `${w}.param`, n),
          grad: buf(p.grad, `${w}.grad`, n),
          m: buf(p.m, `${w}.m`, n),
          v: buf(p.v, `${w}.v`, n),
          wd: p.weightDecay ?? weightDecay,
        };
      });
      const sums = new Float64Array(tensors.length);
      if (tensors.length > 0)
        scratch(tensors.length * 8, (norms) =>
          scratch(256 * 8, (partial) => {
            tensors.forEach((t, i) => {
              const blocks = Math.max(1, Math.min(256, Math.ceil(t.n / T)));
              launch("sumsq_partial", blocks, [
                ["p", partial],
                ["p", t.grad],
                ["q", t.n],
              ]);
              launch(
                "sumsq_finish",
                1,
                [
                  ["p", norms + BigInt(8 * i)],
                  ["p", partial],
                  ["i", blocks],
                ],
                32,
              );
            });
            rt.check(rt.driver.memcpyDtoH(sums, norms, tensors.length * 8), "cuMemcpyDtoH");
          }),
        );
      let ss = 0;
      for (const s of sums) ss += s;
      const gradNorm = Math.sqrt(ss);
      if (!Number.isFinite(gradNorm)) return { gradNorm, clipCoef: 1, applied: false }; // the rule on AdamWArgs
      const clipCoef =
        maxGradNorm !== undefined && maxGradNorm > 0 && Number.isFinite(maxGradNorm)
          ? Math.min(1, maxGradNorm / (gradNorm + 1e-6))
          : 1;
      const bc1 = 1 - beta1 ** step;
      const bc2Sqrt = Math.sqrt(1 - beta2 ** step);
      for (const t of tensors) {
        if (t.n === 0) continue;
        launch("adamw_update", grid(t.n), [
          ["p", t.param],
          ["p", t.grad],
          ["p", t.m],
          ["p", t.v],
          ["q", t.n],
          ["d", clipCoef],
          ["d", 1 - lr * t.wd],
          ["d", beta1],
          ["d", beta2],
          ["d", lr / bc1],
          ["d", bc2Sqrt],
          ["d", eps],
        ]);
      }
      return { gradNorm, clipCoef, applied: true };
    },
    sample({ logits, rows, vocab, uniforms, temperature, topK = 0, topP = 1 }) {
      dims("sample", { rows, vocab });
      const s = samplerSettings(
        "sample",
        rows,
        uniforms,
        () => temperature,
        () => topK,
        () => topP,
      );
      return sampleImpl("sample", logits, rows, vocab, s).ids;
    },
    sampleTokens({ logits, rows, vocab, uniforms, temperature, topK, topP }) {
      dims("sampleTokens", { rows, vocab });
      for (const [n, a] of [
        ["uniforms", uniforms],
        ["temperature", temperature],
        ["topK", topK],
        ["topP", topP],
      ] as const) {
        if (a && a.length < rows)
          throw new ComputeError("BACKEND_BAD_ARGUMENT", `sampleTokens: need ${rows} values of ${n}, got ${a.length}`);
      }
      const s = samplerSettings(
        "sampleTokens",
        rows,
        uniforms,
        (r) => temperature[r],
        (r) => (topK ? topK[r] : 0),
        (r) => (topP ? topP[r] : 1),
      );
      return sampleImpl("sampleTokens", logits, rows, vocab, s);
    },
    copy({ dst, src, length, dstOffset = 0, srcOffset = 0 }) {
      dims("copy", { length, dstOffset, srcOffset });
      if (dstOffset + length > dst.length || srcOffset + length > src.length) {
        throw new ComputeError(
          "BACKEND_SHAPE",
          `copy: ${length} values from offset ${srcOffset} of ${src.length} to offset ${dstOffset} of ${dst.length} run past the end`,
        );
      }
      const d = buf(dst, "copy.dst", dstOffset + length);
      const s = buf(src, "copy.src", srcOffset + length);
      if (length > 0) rt.check(rt.driver.memcpyDtoD(at(d, dstOffset), at(s, srcOffset), length * 4), "cuMemcpyDtoD");
    },
    kvCacheWrite({ cache, src, slots, positions, rows, capacity, width }) {
      dims("kvCacheWrite", { rows, capacity, width });
      if (slots.length < rows || positions.length < rows)
        throw new ComputeError(
          "BACKEND_SHAPE",
          `kvCacheWrite: ${slots.length} slots and ${positions.length} positions for ${rows} rows`,
        );
      const c = buf(cache, "kvCacheWrite.cache", 0);
      const s = buf(src, "kvCacheWrite.src", rows * width);
      const nSlots = capacity * width === 0 ? 0 : Math.floor(cache.length / (capacity * width));
      for (let r = 0; r < rows; r++) {
        if (slots[r] < 0) continue;
        if (slots[r] >= nSlots)
          throw new ComputeError(
            "BACKEND_INDEX_OUT_OF_RANGE",
            `kvCacheWrite: slot ${slots[r]} at row ${r} is outside [0, ${nSlots})`,
          );
        if (positions[r] < 0 || positions[r] >= capacity)
          throw new ComputeError(
            "BACKEND_INDEX_OUT_OF_RANGE",
            `kvCacheWrite: position ${positions[r]} at row ${r} is outside [0, ${capacity})`,
          );
      }
      if (rows * width === 0) return;
      staged(slots.subarray(0, rows), (sp) =>
        staged(positions.subarray(0, rows), (pp) =>
          launch("kv_cache_write", grid(rows * width), [
            ["p", c],
            ["p", s],
            ["p", sp],
            ["p", pp],
            ["i", rows],
            ["i", capacity],
            ["i", width],
          ]),
        ),
      );
    },
    cachedAttention({ out, q, kCache, vCache, slots, lengths, rows, capacity, heads, kvHeads, headDim }) {
      dims("cachedAttention", { rows, capacity, heads, kvHeads, headDim });
      gqaHeads("cachedAttention", heads, kvHeads);
      if (slots.length < rows || lengths.length < rows)
        throw new ComputeError(
          "BACKEND_SHAPE",
          `cachedAttention: ${slots.length} slots and ${lengths.length} lengths for ${rows} rows`,
        );
      const n = rows * heads * headDim;
      const o = buf(out, "cachedAttention.out", n);
      const qp = buf(q, "cachedAttention.q", n);
      const kc = buf(kCache, "cachedAttention.kCache", 0);
      const vc = buf(vCache, "cachedAttention.vCache", 0);
      const width = kvHeads * headDim;
      const cacheLength = Math.min(kCache.length, vCache.length);
      const nSlots = capacity * width === 0 ? 0 : Math.floor(cacheLength / (capacity * width));
      for (let r = 0; r < rows; r++) {
        if (slots[r] < 0) continue;
        if (slots[r] >= nSlots)
          throw new ComputeError(
            "BACKEND_INDEX_OUT_OF_RANGE",
            `cachedAttention: slot ${slots[r]} at row ${r} is outside [0, ${nSlots})`,
          );
        if (!(lengths[r] >= 0 && lengths[r] <= capacity))
          throw new ComputeError(
            "BACKEND_INDEX_OUT_OF_RANGE",
            `cachedAttention: length ${lengths[r]} at row ${r} is outside [0, ${capacity}]`,
          );
      }
      if (n === 0) return;
      staged(slots.subarray(0, rows), (sp) =>
        staged(lengths.subarray(0, rows), (lp) =>
          scratch(rows * heads * Math.max(1, capacity) * 8, (sc) =>
            launch("cached_attention", rows * heads, [
              ["p", o],
              ["p", qp],
              ["p", kc],
              ["p", vc],
              ["p", sp],
              ["p", lp],
              ["p", sc],
              ["i", capacity],
              ["i", heads],
              ["i", kvHeads],
              ["i", headDim],
              ["d", 1 / Math.sqrt(headDim)],
            ]),
          ),
        ),
      );
    },
  };
  return backend;
}
