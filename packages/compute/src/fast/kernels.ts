/**
 * The native kernels the fast CPU backend calls: a structural subset of `NativeKernels` from the optional
 * `@sentrl/compute-native` addon (declared here so `@sentrl/compute`'s types never depend on that package).
 * Every array is plain Float32Array memory; "+=" kernels say so.
 */
export interface FastKernels {
  threads(): number;
  matmulForward(a: { out: Float32Array; x: Float32Array; w: Float32Array; bias?: Float32Array; rows: number; inDim: number; outDim: number }): void;
  matmulBackwardInput(a: { dx: Float32Array; dout: Float32Array; w: Float32Array; rows: number; inDim: number; outDim: number; accumulate?: boolean }): void;
  matmulBackwardWeight(a: { dw: Float32Array; dbias?: Float32Array; dout: Float32Array; x: Float32Array; rows: number; inDim: number; outDim: number }): void;
  logitsStatsForward(a: {
    logp: Float32Array;
    entropy: Float32Array;
    lse?: Float32Array;
    h: Float32Array;
    w: Float32Array;
    targets: Int32Array;
    rows: number;
    dim: number;
    vocab: number;
    temperature: number;
  }): void;
  logitsStatsBackward(a: {
    dh: Float32Array;
    dw: Float32Array;
    h: Float32Array;
    w: Float32Array;
    targets: Int32Array;
    lse: Float32Array;
    entropy: Float32Array;
    dlogp?: Float32Array;
    dentropy?: Float32Array;
    rows: number;
    dim: number;
    vocab: number;
    temperature: number;
    accumulate?: boolean;
  }): void;
  rmsnormForward(a: { out: Float32Array; rstd?: Float32Array; x: Float32Array; weight: Float32Array; rows: number; dim: number; eps: number }): void;
  rmsnormBackward(a: {
    dx: Float32Array;
    dweight?: Float32Array;
    dout: Float32Array;
    x: Float32Array;
    weight: Float32Array;
    rstd: Float32Array;
    rows: number;
    dim: number;
    accumulate?: boolean;
  }): void;
  swigluForward(a: { out: Float32Array; gate: Float32Array; up: Float32Array; length: number }): void;
  swigluBackward(a: { dgate: Float32Array; dup: Float32Array; dout: Float32Array; gate: Float32Array; up: Float32Array; length: number }): void;
  sumSquares(x: Float32Array): number;
  adamwUpdate(a: {
    param: Float32Array;
    grad: Float32Array;
    m: Float32Array;
    v: Float32Array;
    lr: number;
    beta1: number;
    beta2: number;
    eps: number;
    weightDecay: number;
    step: number;
    gradScale?: number;
  }): void;
  attentionForward(a: {
    out: Float32Array;
    probs: Float32Array;
    q: Float32Array;
    k: Float32Array;
    v: Float32Array;
    keyMask?: Uint8Array;
    batch: number;
    seqLen: number;
    heads: number;
    kvHeads: number;
    headDim: number;
  }): void;
  /** Optional native plain/greedy rows of `sampleTokens`; see `@sentrl/compute-native`. */
  sampleUnfiltered?(a: { logits: Float32Array; rows: number; vocab: number; uniforms: Float64Array; temperature: Float64Array; which: Uint8Array; ids: Int32Array; logprobs: Float32Array }): void;
  /** Optional prepacked weights for small-batch matmuls (decoding); see `@sentrl/compute-native`. */
  packWeights?(w: Float32Array, inDim: number, outDim: number): Float32Array;
  matmulForwardPacked?(a: { out: Float32Array; x: Float32Array; packed: Float32Array; bias?: Float32Array; rows: number; inDim: number; outDim: number }): boolean;
  /** Optional (older addons lack it; the backend then runs the TypeScript kernel): see `CachedAttentionArgs`. */
  cachedAttention?(a: {
    out: Float32Array;
    q: Float32Array;
    kCache: Float32Array;
    vCache: Float32Array;
    slots: Int32Array;
    lengths: Int32Array;
    rows: number;
    capacity: number;
    heads: number;
    kvHeads: number;
    headDim: number;
  }): void;
  attentionBackward(a: {
    dq: Float32Array;
    dk: Float32Array;
    dv: Float32Array;
    dout: Float32Array;
    probs: Float32Array;
    q: Float32Array;
    k: Float32Array;
    v: Float32Array;
    batch: number;
    seqLen: number;
    heads: number;
    kvHeads: number;
    headDim: number;
  }): void;
}

/** Where the native kernels stand: loaded, or why not. */
export interface FastKernelsStatus {
  kernels: FastKernels | null;
  /** Why the fast path is unavailable (null when it is available). */
  reason: string | null;
}

interface NativeModule {
  loadNativeKernels(): FastKernels | null;
  nativeKernelsStatus(): { reason: string | null };
}

// A variable specifier keeps bundlers from inlining the optional package: it is resolved at run time, when present.
const NATIVE_PACKAGE = "@sentrl/compute-native";
let cached: Promise<FastKernelsStatus> | undefined;

/**
 * Loads the AVX2/FMA kernels of the optional `@sentrl/compute-native` package once per process. Never throws:
 * when the package is not installed, the addon is not built, the CPU lacks AVX2/FMA or `SENTRL_NATIVE=0`, the
 * result has `kernels: null` and a `reason` that says what to do.
 *
 * @example
 * ```ts
 * import { loadFastKernels } from "@sentrl/compute";
 * const { kernels, reason } = await loadFastKernels();
 * if (!kernels) console.warn(`fast CPU path unavailable: ${reason}`);
 * ```
 */
export function loadFastKernels(): Promise<FastKernelsStatus> {
  cached ??= (async (): Promise<FastKernelsStatus> => {
    let mod: NativeModule;
    try {
      mod = (await import(NATIVE_PACKAGE)) as NativeModule;
    } catch (e) {
      return { kernels: null, reason: `the optional package ${NATIVE_PACKAGE} is not installed (${e instanceof Error ? e.message.split("\n")[0] : String(e)}); install it to get the fast CPU kernels` };
    }
    try {
      const kernels = mod.loadNativeKernels();
      return kernels ? { kernels, reason: null } : { kernels: null, reason: mod.nativeKernelsStatus().reason ?? "native kernels unavailable" };
    } catch (e) {
      return { kernels: null, reason: `${NATIVE_PACKAGE} failed to load: ${e instanceof Error ? e.message : String(e)}` };
    }
  })();
  return cached;
}
