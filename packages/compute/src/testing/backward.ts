import type { Backend, DeviceBuffer } from "../backend.js";
import { assertClose, randomArray } from "./helpers.js";
import { attentionOracle, logitsStatsOracle, matmulOracle, rmsnormOracle, ropeOracle, type Vec } from "./oracles.js";

/** Central finite differences of a float64 scalar function at `x0` (every coordinate). */
export function finiteDifferenceGrad(f: (x: Float64Array) => number, x0: ArrayLike<number>, eps = 1e-6): Float64Array {
  const x = Float64Array.from(x0);
  const g = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    x[i] = v + eps;
    const fp = f(x);
    x[i] = v - eps;
    const fm = f(x);
    x[i] = v;
    g[i] = (fp - fm) / (2 * eps);
  }
  return g;
}

const dot = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};

/** Backward checks: each kernel's gradients against finite differences of the float64 forward oracle. */
export function backwardChecks(get: () => Backend, it: (name: string, fn: () => void) => void): void {
  const up = (data: Float32Array): DeviceBuffer => {
    const b = get().alloc(data.length);
    get().upload(b, data);
    return b;
  };
  /** A gradient buffer prefilled with `c`, to check that kernels accumulate. */
  const acc = (n: number, c = 0.25): DeviceBuffer => {
    const b = get().alloc(n);
    get().fill(b, c);
    return b;
  };
  const grad = (b: DeviceBuffer, c = 0.25): Float64Array => Float64Array.from(get().download(b), (v) => v - c);
  const TOL = [2e-5, 1e-4] as const;

  it("backward: embedding accumulates rows (repeated ids add up)", () => {
    const [V, C, rows] = [4, 3, 5];
    const ids = new Int32Array([1, 3, 1, 0, 1]);
    const dOut = randomArray(rows * C, 201);
    const dTable = acc(V * C);
    get().embeddingBackward({ dTable, dOut: up(dOut), ids, rows, dim: C, vocab: V });
    const exp = finiteDifferenceGrad((t) => {
      let s = 0;
      ids.forEach((id, r) => {
        for (let i = 0; i < C; i++) s += dOut[r * C + i] * t[id * C + i];
      });
      return s;
    }, new Float64Array(V * C));
    assertClose(grad(dTable), exp, "embeddingBackward dTable", ...TOL);
  });

  it("backward: matmul dx, dw, dBias against finite differences", () => {
    for (const [rows, inDim, outDim] of [
      [1, 1, 1],
      [3, 5, 4],
      [2, 7, 9],
    ]) {
      const x = randomArray(rows * inDim, 211 + rows);
      const w = randomArray(outDim * inDim, 212 + inDim);
      const bias = randomArray(outDim, 213);
      const dOut = randomArray(rows * outDim, 214 + outDim);
      const [dx, dw, dBias] = [acc(rows * inDim), acc(outDim * inDim), acc(outDim)];
      get().matmulBackward({ dOut: up(dOut), x: up(x), w: up(w), dx, dw, dBias, rows, inDim, outDim });
      const L = (xx: Vec, ww: Vec, bb: Vec) => dot(dOut, matmulOracle(xx, ww, bb, rows, inDim, outDim));
      const name = `matmulBackward ${rows}×${inDim}→${outDim}`;
      assertClose(grad(dx), finiteDifferenceGrad((v) => L(v, w, bias), x), `${name} dx`, ...TOL);
      assertClose(grad(dw), finiteDifferenceGrad((v) => L(x, v, bias), w), `${name} dw`, ...TOL);
      assertClose(grad(dBias), finiteDifferenceGrad((v) => L(x, w, v), bias), `${name} dBias`, ...TOL);
    }
  });

  it("backward: rmsnorm dx and dWeight against finite differences", () => {
    for (const [rows, dim] of [
      [1, 1],
      [3, 7],
    ]) {
      const eps = 1e-5;
      const x = randomArray(rows * dim, 221 + dim, 2);
      const weight = randomArray(dim, 222);
      const dOut = randomArray(rows * dim, 223);
      const out = get().alloc(rows * dim);
      const rstd = get().alloc(rows);
      const [xb, wb] = [up(x), up(weight)];
      get().rmsnormForward({ out, x: xb, weight: wb, rows, dim, eps, rstd });
      const [dx, dWeight] = [acc(rows * dim), acc(dim)];
      get().rmsnormBackward({ dOut: up(dOut), x: xb, weight: wb, rstd, dx, dWeight, rows, dim });
      const L = (xx: Vec, ww: Vec) => dot(dOut, rmsnormOracle(xx, ww, rows, dim, eps).out);
      assertClose(grad(dx), finiteDifferenceGrad((v) => L(v, weight), x), `rmsnormBackward ${rows}×${dim} dx`, 1e-4, 1e-4);
      assertClose(grad(dWeight), finiteDifferenceGrad((v) => L(x, v), weight), `rmsnormBackward ${rows}×${dim} dWeight`, ...TOL);
    }
  });

  it("backward: rope is the inverse rotation", () => {
    const positions = new Int32Array([0, 3, 1000]);
    const [rows, heads, headDim, theta] = [3, 2, 6, 1e4];
    const x = randomArray(rows * heads * headDim, 231);
    const dOut = randomArray(x.length, 232);
    const dx = acc(x.length);
    get().ropeBackward({ dOut: up(dOut), dx, positions, rows, heads, headDim, theta });
    const exp = finiteDifferenceGrad((v) => dot(dOut, ropeOracle(v, positions, rows, heads, headDim, theta)), x);
    assertClose(grad(dx), exp, "ropeBackward", ...TOL);
  });

  it("backward: attention dq, dk, dv with GQA and padding against finite differences", () => {
    const cases = [
      { batch: 1, seqLen: 1, heads: 1, kvHeads: 1, headDim: 2 },
      { batch: 2, seqLen: 4, heads: 4, kvHeads: 2, headDim: 3, mask: [1, 1, 1, 0, 1, 1, 0, 0] },
      { batch: 1, seqLen: 5, heads: 2, kvHeads: 1, headDim: 2, mask: [0, 1, 1, 1, 1] },
    ];
    for (const c of cases) {
      const nq = c.batch * c.seqLen * c.heads * c.headDim;
      const nk = c.batch * c.seqLen * c.kvHeads * c.headDim;
      const q = randomArray(nq, 241 + nq);
      const k = randomArray(nk, 242 + nk);
      const v = randomArray(nk, 243 + nk);
      const dOut = randomArray(nq, 244);
      const keyMask = c.mask ? Uint8Array.from(c.mask) : undefined;
      const [qb, kb, vb] = [up(q), up(k), up(v)];
      const out = get().alloc(nq);
      const probs = get().alloc(c.batch * c.heads * c.seqLen * c.seqLen);
      const shape = { batch: c.batch, seqLen: c.seqLen, heads: c.heads, kvHeads: c.kvHeads, headDim: c.headDim };
      get().attentionForward({ out, q: qb, k: kb, v: vb, keyMask, probs, ...shape });
      const [dq, dk, dv] = [acc(nq), acc(nk), acc(nk)];
      get().attentionBackward({ dOut: up(dOut), q: qb, k: kb, v: vb, probs, dq, dk, dv, ...shape });
      const L = (qq: Vec, kk: Vec, vv: Vec) => dot(dOut, attentionOracle(qq, kk, vv, c.batch, c.seqLen, c.heads, c.kvHeads, c.headDim, keyMask).out);
      const name = `attentionBackward b${c.batch} t${c.seqLen} h${c.heads}/${c.kvHeads}`;
      assertClose(grad(dq), finiteDifferenceGrad((x) => L(x, k, v), q), `${name} dq`, ...TOL);
      assertClose(grad(dk), finiteDifferenceGrad((x) => L(q, x, v), k), `${name} dk`, ...TOL);
      assertClose(grad(dv), finiteDifferenceGrad((x) => L(q, k, x), v), `${name} dv`, ...TOL);
    }
  });

  it("backward: swiglu and residual", () => {
    const n = 11;
    const g = randomArray(n, 251, 4);
    const u = randomArray(n, 252);
    const dOut = randomArray(n, 253);
    const [dGate, dUp] = [acc(n), acc(n)];
    get().swigluBackward({ dOut: up(dOut), gate: up(g), up: up(u), dGate, dUp, length: n });
    const L = (gg: Vec, uu: Vec) => {
      let s = 0;
      for (let i = 0; i < n; i++) s += dOut[i] * (gg[i] / (1 + Math.exp(-gg[i]))) * uu[i];
      return s;
    };
    assertClose(grad(dGate), finiteDifferenceGrad((x) => L(x, u), g), "swigluBackward dGate", ...TOL);
    assertClose(grad(dUp), finiteDifferenceGrad((x) => L(g, x), u), "swigluBackward dUp", ...TOL);
    const [da, db] = [acc(n), acc(n)];
    get().residualBackward({ dOut: up(dOut), da, db, length: n });
    assertClose(grad(da), dOut, "residualBackward da", 1e-7, 0);
    assertClose(grad(db), dOut, "residualBackward db", 1e-7, 0);
  });

  it("backward: fused logits from dLogp and dEntropy (∂logp/∂z = onehot − p, ∂H/∂z = −p(log p + H), ÷T)", () => {
    for (const [rows, dim, vocab, temperature] of [
      [1, 2, 3, 1],
      [4, 5, 13, 0.7],
    ]) {
      const h = randomArray(rows * dim, 261 + vocab, 1.5);
      const w = randomArray(vocab * dim, 262 + vocab, 1.5);
      const targets = Int32Array.from({ length: rows }, (_, r) => (r === 2 ? -1 : (r * 5 + 1) % vocab));
      const dLogp = randomArray(rows, 263);
      const dEntropy = randomArray(rows, 264);
      const [hb, wb] = [up(h), up(w)];
      const [logp, entropy, lse] = [get().alloc(rows), get().alloc(rows), get().alloc(rows)];
      get().logitsStatsForward({ logp, entropy, lse, h: hb, w: wb, targets, rows, dim, vocab, temperature });
      const [dh, dw] = [acc(rows * dim), acc(vocab * dim)];
      get().logitsStatsBackward({ h: hb, w: wb, targets, lse, entropy, dLogp: up(dLogp), dEntropy: up(dEntropy), dh, dw, rows, dim, vocab, temperature });
      const L = (hh: Vec, ww: Vec) => {
        const o = logitsStatsOracle(hh, ww, targets, rows, dim, vocab, temperature);
        return dot(dLogp, o.logp) + dot(dEntropy, o.entropy);
      };
      const name = `logitsStatsBackward ${rows}×${dim} V${vocab} T${temperature}`;
      assertClose(grad(dh), finiteDifferenceGrad((x) => L(x, w), h), `${name} dh`, 1e-4, 1e-4);
      assertClose(grad(dw), finiteDifferenceGrad((x) => L(h, x), w), `${name} dw`, 1e-4, 1e-4);
    }
  });
}
