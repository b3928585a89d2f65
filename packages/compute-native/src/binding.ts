/**
 * The raw addon surface (positional arguments, exactly as `src/native/addon.cc` reads them). Internal: use the
 * validated, named-argument wrappers of `NativeKernels` instead.
 */
export interface NativeBinding {
  abiVersion: number;
  cpuSupported(): boolean;
  setThreads(n: number): void;
  getThreads(): number;
  gemmIsa(): "avx2" | "avx512";
  setGemmIsa(isa: string): boolean;
  matmulForward(
    y: Float32Array,
    x: Float32Array,
    w: Float32Array,
    bias: Float32Array | null,
    rows: number,
    inDim: number,
    outDim: number,
  ): void;
  matmulBackwardInput(
    dx: Float32Array,
    dy: Float32Array,
    w: Float32Array,
    rows: number,
    inDim: number,
    outDim: number,
    accumulate: boolean,
  ): void;
  matmulBackwardWeight(
    dw: Float32Array | null,
    dbias: Float32Array | null,
    dy: Float32Array,
    x: Float32Array,
    rows: number,
    inDim: number,
    outDim: number,
  ): void;
  logitsStatsForward(
    h: Float32Array,
    w: Float32Array,
    targets: Int32Array,
    rows: number,
    dim: number,
    vocab: number,
    temperature: number,
    logp: Float32Array,
    entropy: Float32Array,
    lse: Float32Array | null,
  ): void;
  logitsStatsBackward(
    h: Float32Array,
    w: Float32Array,
    targets: Int32Array,
    lse: Float32Array,
    entropy: Float32Array,
    dlogp: Float32Array | null,
    dentropy: Float32Array | null,
    rows: number,
    dim: number,
    vocab: number,
    temperature: number,
    dh: Float32Array | null,
    dw: Float32Array | null,
    accumulateDh: boolean,
  ): void;
  rmsnormForward(
    out: Float32Array,
    rstd: Float32Array | null,
    x: Float32Array,
    weight: Float32Array,
    rows: number,
    dim: number,
    eps: number,
  ): void;
  rmsnormBackward(
    dx: Float32Array,
    dweight: Float32Array | null,
    dout: Float32Array,
    x: Float32Array,
    weight: Float32Array,
    rstd: Float32Array,
    rows: number,
    dim: number,
    accumulate: boolean,
  ): void;
  swigluForward(out: Float32Array, gate: Float32Array, up: Float32Array, length: number): void;
  swigluBackward(
    dgate: Float32Array,
    dup: Float32Array,
    dout: Float32Array,
    gate: Float32Array,
    up: Float32Array,
    length: number,
    accumulate: boolean,
  ): void;
  sumSquares(x: Float32Array): number;
  adamwUpdate(
    param: Float32Array,
    grad: Float32Array,
    m: Float32Array,
    v: Float32Array,
    lr: number,
    beta1: number,
    beta2: number,
    eps: number,
    weightDecay: number,
    step: number,
    gradScale: number,
  ): void;
  attentionForward(
    out: Float32Array,
    probs: Float32Array | null,
    q: Float32Array,
    k: Float32Array,
    v: Float32Array,
    keyMask: Uint8Array | null,
    batch: number,
    seqLen: number,
    heads: number,
    kvHeads: number,
    headDim: number,
  ): void;
  attentionBackward(
    dq: Float32Array,
    dk: Float32Array,
    dv: Float32Array,
    dout: Float32Array,
    probs: Float32Array,
    q: Float32Array,
    k: Float32Array,
    v: Float32Array,
    batch: number,
    seqLen: number,
    heads: number,
    kvHeads: number,
    headDim: number,
    accumulate: boolean,
  ): void;
  /** Plain/greedy rows of sampleTokens (present in addons built from this source). */
  sampleUnfiltered?(
    logits: Float32Array,
    rows: number,
    vocab: number,
    uniforms: Float64Array,
    temperature: Float64Array,
    which: Uint8Array,
    ids: Int32Array,
    logprobs: Float32Array,
  ): void;
  /** Prepacked weights (present in addons built from this source). */
  packedWeightsSize?(inDim: number, outDim: number): number;
  packWeights?(dst: Float32Array, w: Float32Array, inDim: number, outDim: number): void;
  matmulForwardPacked?(
    out: Float32Array,
    x: Float32Array,
    packed: Float32Array,
    bias: Float32Array | null,
    rows: number,
    inDim: number,
    outDim: number,
  ): boolean;
  /** Present in addons built from this source (older builds lack it; callers fall back to TypeScript). */
  cachedAttention?(
    out: Float32Array,
    q: Float32Array,
    kCache: Float32Array,
    vCache: Float32Array,
    slots: Int32Array,
    lengths: Int32Array,
    rows: number,
    capacity: number,
    heads: number,
    kvHeads: number,
    headDim: number,
  ): void;
}

/** The binding ABI this TypeScript expects (`abiVersion` exported by the addon). */
export const NATIVE_ABI_VERSION = 4;
