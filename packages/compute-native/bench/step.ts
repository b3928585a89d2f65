// Benchmark: one training step of the 11M Qwen2-shaped model (hidden 384, 6 layers, 6 heads, 2 KV heads,
// intermediate 1024, vocab 4096; B=8, T=256) made only of this package's kernels — forward, backward of
// Σ(dl·logp + de·entropy) through the fused head, and AdamW with global-norm clipping — beside the same step in
// plain PyTorch (bench/torch_step.py) timed in the same run. Embedding lookup and RoPE are left out of the native
// step (a few ms in TypeScript), so its tokens/s is what a fast backend built on these kernels can approach.
import { spawnSync } from "node:child_process";
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { loadNativeKernels, type NativeKernels, nativeKernelsStatus } from "../src/index.js";

const THREADS = Number(process.env.SENTRL_BENCH_THREADS ?? 2);
const B = 8,
  T = 256,
  N = B * T;
const H = 384,
  LAYERS = 6,
  NH = 6,
  NKV = 2,
  HD = H / NH,
  KVD = NKV * HD,
  I = 1024,
  V = 4096;

function random(n: number, scale: number, seed: number): Float32Array {
  const a = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    a[i] = ((s / 4294967296) * 2 - 1) * scale;
  }
  return a;
}

interface Param {
  w: Float32Array;
  g: Float32Array;
  m: Float32Array;
  v: Float32Array;
  decay: number;
}

let seed = 1;
const params: Param[] = [];
function param(n: number, scale: number, decay = 0.01, ones = false): Param {
  const p = {
    w: ones ? new Float32Array(n).fill(1) : random(n, scale, seed++),
    g: new Float32Array(n),
    m: new Float32Array(n),
    v: new Float32Array(n),
    decay,
  };
  params.push(p);
  return p;
}

const f32 = (n: number) => new Float32Array(n);

function buildLayer() {
  return {
    ln1: param(H, 0, 0, true),
    wq: param(H * H, 0.05),
    bq: param(H, 0.01, 0),
    wk: param(KVD * H, 0.05),
    bk: param(KVD, 0.01, 0),
    wv: param(KVD * H, 0.05),
    bv: param(KVD, 0.01, 0),
    wo: param(H * H, 0.05),
    ln2: param(H, 0, 0, true),
    wg: param(I * H, 0.05),
    wu: param(I * H, 0.05),
    wd: param(H * I, 0.03),
    // saved activations
    x: f32(N * H),
    h1: f32(N * H),
    r1: f32(N),
    q: f32(N * H),
    k: f32(N * KVD),
    v: f32(N * KVD),
    probs: f32(B * NH * T * T),
    att: f32(N * H),
    xm: f32(N * H),
    h2: f32(N * H),
    r2: f32(N),
    gate: f32(N * I),
    up: f32(N * I),
    act: f32(N * I),
  };
}

function step(
  k: NativeKernels,
  layers: ReturnType<typeof buildLayer>[],
  head: Param,
  norm: Param,
  x0: Float32Array,
  targets: Int32Array,
  dl: Float32Array,
  de: Float32Array,
  s: Record<string, Float32Array>,
): void {
  for (const p of params) p.g.fill(0);
  // forward
  let x = x0;
  const tmp = s.tmp;
  for (const L of layers) {
    L.x.set(x);
    k.rmsnormForward({ out: L.h1, rstd: L.r1, x: L.x, weight: L.ln1.w, rows: N, dim: H, eps: 1e-6 });
    k.matmulForward({ out: L.q, x: L.h1, w: L.wq.w, bias: L.bq.w, rows: N, inDim: H, outDim: H });
    k.matmulForward({ out: L.k, x: L.h1, w: L.wk.w, bias: L.bk.w, rows: N, inDim: H, outDim: KVD });
    k.matmulForward({ out: L.v, x: L.h1, w: L.wv.w, bias: L.bv.w, rows: N, inDim: H, outDim: KVD });
    k.attentionForward({
      out: L.att,
      probs: L.probs,
      q: L.q,
      k: L.k,
      v: L.v,
      batch: B,
      seqLen: T,
      heads: NH,
      kvHeads: NKV,
      headDim: HD,
    });
    k.matmulForward({ out: tmp, x: L.att, w: L.wo.w, rows: N, inDim: H, outDim: H });
    for (let i = 0; i < N * H; i++) L.xm[i] = L.x[i] + tmp[i];
    k.rmsnormForward({ out: L.h2, rstd: L.r2, x: L.xm, weight: L.ln2.w, rows: N, dim: H, eps: 1e-6 });
    k.matmulForward({ out: L.gate, x: L.h2, w: L.wg.w, rows: N, inDim: H, outDim: I });
    k.matmulForward({ out: L.up, x: L.h2, w: L.wu.w, rows: N, inDim: H, outDim: I });
    k.swigluForward({ out: L.act, gate: L.gate, up: L.up, length: N * I });
    k.matmulForward({ out: tmp, x: L.act, w: L.wd.w, rows: N, inDim: I, outDim: H });
    x = s[`x${layers.indexOf(L)}`];
    for (let i = 0; i < N * H; i++) x[i] = L.xm[i] + tmp[i];
  }
  k.rmsnormForward({ out: s.hf, rstd: s.rf, x, weight: norm.w, rows: N, dim: H, eps: 1e-6 });
  k.logitsStatsForward({
    logp: s.logp,
    entropy: s.ent,
    lse: s.lse,
    h: s.hf,
    w: head.w,
    targets,
    rows: N,
    dim: H,
    vocab: V,
    temperature: 0.7,
  });
  // backward
  s.dhf.fill(0);
  k.logitsStatsBackward({
    dh: s.dhf,
    dw: head.g,
    h: s.hf,
    w: head.w,
    targets,
    lse: s.lse,
    entropy: s.ent,
    dlogp: dl,
    dentropy: de,
    rows: N,
    dim: H,
    vocab: V,
    temperature: 0.7,
  });
  const dx = s.dx;
  k.rmsnormBackward({ dx, dweight: norm.g, dout: s.dhf, x, weight: norm.w, rstd: s.rf, rows: N, dim: H });
  for (let l = layers.length - 1; l >= 0; l--) {
    const L = layers[l];
    // x_out = xm + down(act): dxm = dx (+ through the MLP)
    k.matmulBackwardInput({ dx: s.dact, dout: dx, w: L.wd.w, rows: N, inDim: I, outDim: H });
    k.matmulBackwardWeight({ dw: L.wd.g, dout: dx, x: L.act, rows: N, inDim: I, outDim: H });
    k.swigluBackward({ dgate: s.dgate, dup: s.dup, dout: s.dact, gate: L.gate, up: L.up, length: N * I });
    k.matmulBackwardInput({ dx: s.dh, dout: s.dgate, w: L.wg.w, rows: N, inDim: H, outDim: I });
    k.matmulBackwardInput({ dx: s.dh, dout: s.dup, w: L.wu.w, rows: N, inDim: H, outDim: I, accumulate: true });
    k.matmulBackwardWeight({ dw: L.wg.g, dout: s.dgate, x: L.h2, rows: N, inDim: H, outDim: I });
    k.matmulBackwardWeight({ dw: L.wu.g, dout: s.dup, x: L.h2, rows: N, inDim: H, outDim: I });
    k.rmsnormBackward({
      dx,
      dweight: L.ln2.g,
      dout: s.dh,
      x: L.xm,
      weight: L.ln2.w,
      rstd: L.r2,
      rows: N,
      dim: H,
      accumulate: true,
    });
    // xm = x + o(att)
    k.matmulBackwardInput({ dx: s.datt, dout: dx, w: L.wo.w, rows: N, inDim: H, outDim: H });
    k.matmulBackwardWeight({ dw: L.wo.g, dout: dx, x: L.att, rows: N, inDim: H, outDim: H });
    k.attentionBackward({
      dq: s.dq,
      dk: s.dk,
      dv: s.dv,
      dout: s.datt,
      probs: L.probs,
      q: L.q,
      k: L.k,
      v: L.v,
      batch: B,
      seqLen: T,
      heads: NH,
      kvHeads: NKV,
      headDim: HD,
    });
    k.matmulBackwardInput({ dx: s.dh, dout: s.dq, w: L.wq.w, rows: N, inDim: H, outDim: H });
    k.matmulBackwardInput({ dx: s.dh, dout: s.dk, w: L.wk.w, rows: N, inDim: H, outDim: KVD, accumulate: true });
    k.matmulBackwardInput({ dx: s.dh, dout: s.dv, w: L.wv.w, rows: N, inDim: H, outDim: KVD, accumulate: true });
    k.matmulBackwardWeight({ dw: L.wq.g, dbias: L.bq.g, dout: s.dq, x: L.h1, rows: N, inDim: H, outDim: H });
    k.matmulBackwardWeight({ dw: L.wk.g, dbias: L.bk.g, dout: s.dk, x: L.h1, rows: N, inDim: H, outDim: KVD });
    k.matmulBackwardWeight({ dw: L.wv.g, dbias: L.bv.g, dout: s.dv, x: L.h1, rows: N, inDim: H, outDim: KVD });
    k.rmsnormBackward({
      dx,
      dweight: L.ln1.g,
      dout: s.dh,
      x: L.x,
      weight: L.ln1.w,
      rstd: L.r1,
      rows: N,
      dim: H,
      accumulate: true,
    });
  }
  // AdamW with global-norm clipping at 1.0
  let ss = 0;
  for (const p of params) ss += k.sumSquares(p.g);
  const gradScale = Math.min(1, 1 / (Math.sqrt(ss) + 1e-6));
  for (const p of params)
    k.adamwUpdate({
      param: p.w,
      grad: p.g,
      m: p.m,
      v: p.v,
      lr: 1e-4,
      beta1: 0.9,
      beta2: 0.999,
      eps: 1e-8,
      weightDecay: p.decay,
      step: 1,
      gradScale,
    });
}

function runTorch(): {
  result: { torch: string; params: number; step_s: number; tokens_per_s: number } | null;
  reason: string | null;
} {
  const python = process.env.SENTRL_TORCH_PYTHON ?? "/usr/bin/python3";
  const script = fileURLToPath(new URL("./torch_step.py", import.meta.url));
  const r = spawnSync(python, [script], {
    input: JSON.stringify({ threads: THREADS, batch: B, seq: T, steps: 1 }),
    encoding: "utf8",
    timeout: 600_000,
  });
  if (r.error) return { result: null, reason: `${python} could not run: ${r.error.message}` };
  if (r.status !== 0)
    return { result: null, reason: `torch step failed: ${(r.stderr ?? "").trim().split("\n").pop()}` };
  return { result: JSON.parse(r.stdout), reason: null };
}

const k = loadNativeKernels();
let nativeStep: number | null = null;
let paramCount = 0;
if (k) {
  k.setThreads(THREADS);
  const layers = Array.from({ length: LAYERS }, buildLayer);
  const norm = param(H, 0, 0, true);
  const head = param(V * H, 0.05);
  paramCount = params.reduce((a, p) => a + p.w.length, 0) + V * H; // + the embedding table (not stepped here)
  const s: Record<string, Float32Array> = {
    tmp: f32(N * H),
    hf: f32(N * H),
    rf: f32(N),
    logp: f32(N),
    ent: f32(N),
    lse: f32(N),
    dhf: f32(N * H),
    dx: f32(N * H),
    dact: f32(N * I),
    dgate: f32(N * I),
    dup: f32(N * I),
    dh: f32(N * H),
    datt: f32(N * H),
    dq: f32(N * H),
    dk: f32(N * KVD),
    dv: f32(N * KVD),
  };
  for (let l = 0; l < LAYERS; l++) s[`x${l}`] = f32(N * H);
  const x0 = random(N * H, 0.5, 999);
  const targets = new Int32Array(N).map((_, i) => (i * 7919) % V);
  const dl = random(N, 1, 7);
  const de = random(N, 1, 8);
  step(k, layers, head, norm, x0, targets, dl, de, s);
  nativeStep = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    step(k, layers, head, norm, x0, targets, dl, de, s);
    nativeStep = Math.min(nativeStep, (performance.now() - t0) / 1000);
  }
}
const torch = runTorch();
const round = (x: number, d = 1): number => Math.round(x * 10 ** d) / 10 ** d;
process.stdout.write(
  `${JSON.stringify({
    bench: "compute-native",
    kernel: "train-step",
    model: "qwen2-11M (H384 L6 nh6 nkv2 I1024 V4096), B8 T256",
    threads: THREADS,
    native_params: paramCount || null,
    native_step_ms: nativeStep === null ? null : round(nativeStep * 1000),
    native_tokens_per_s: nativeStep === null ? null : Math.round(N / nativeStep),
    torch_params: torch.result?.params ?? null,
    torch_step_ms: torch.result ? round(torch.result.step_s * 1000) : null,
    torch_tokens_per_s: torch.result ? Math.round(torch.result.tokens_per_s) : null,
    speedup: nativeStep !== null && torch.result ? round(torch.result.step_s / nativeStep, 2) : null,
    ...(k ? {} : { native_unavailable: nativeKernelsStatus().reason }),
    ...(torch.reason ? { torch_unavailable: torch.reason } : {}),
    loadavg1: round(loadavg()[0]),
  })}\n`,
);
