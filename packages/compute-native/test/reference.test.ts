// The float64 references' backward formulas, checked by central finite differences (no addon needed).
import { describe, expect, it } from "vitest";
import { rng } from "./helpers.js";
import {
  refAttention,
  refAttentionBackward,
  refLogitsBackward,
  refLogitsForward,
  refRmsnorm,
  refRmsnormBackward,
  refSwiglu,
  refSwigluBackward,
} from "./reference.js";

function randomF64(n: number, r: () => number): Float64Array {
  const a = new Float64Array(n);
  for (let i = 0; i < n; i++) a[i] = r();
  return a;
}

/** Σ_i c_i·f(x)_i differentiated numerically w.r.t. every x_j. */
function numericGrad(x: Float64Array, c: ArrayLike<number>, f: () => ArrayLike<number>): Float64Array {
  const g = new Float64Array(x.length);
  const eps = 1e-6;
  const loss = () => {
    const y = f();
    let s = 0;
    for (let i = 0; i < y.length; i++) s += c[i] * y[i];
    return s;
  };
  for (let j = 0; j < x.length; j++) {
    const x0 = x[j];
    x[j] = x0 + eps;
    const lp = loss();
    x[j] = x0 - eps;
    const lm = loss();
    x[j] = x0;
    g[j] = (lp - lm) / (2 * eps);
  }
  return g;
}

function expectNear(a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-6): void {
  for (let i = 0; i < b.length; i++)
    expect(Math.abs(a[i] - b[i]), `element ${i}: ${a[i]} vs ${b[i]}`).toBeLessThan(tol * (1 + Math.abs(b[i])));
}

describe("reference backward formulas match finite differences", () => {
  it("fused logits (logp and entropy, temperature 0.7, one skipped row)", () => {
    const r = rng(1);
    const rows = 3,
      dim = 4,
      vocab = 5,
      T = 0.7;
    const h = randomF64(rows * dim, r);
    const w = randomF64(vocab * dim, r);
    const targets = new Int32Array([2, -1, 4]);
    const dl = [0.3, 0.9, -1.1];
    const de = [-0.4, 0.2, 0.8];
    const { dh, dw } = refLogitsBackward(h, w, targets, dl, de, rows, dim, vocab, T);
    const f = () => {
      const o = refLogitsForward(h, w, targets, rows, dim, vocab, T);
      return [...o.logp, ...o.entropy];
    };
    const c = [...dl, ...de];
    expectNear(dh, numericGrad(h, c, f));
    expectNear(dw, numericGrad(w, c, f));
  });

  it("rmsnorm", () => {
    const r = rng(2);
    const rows = 2,
      dim = 5,
      eps = 1e-6;
    const x = randomF64(rows * dim, r);
    const wt = randomF64(dim, r);
    const dout = randomF64(rows * dim, r);
    const { dx, dweight } = refRmsnormBackward(dout, x, wt, rows, dim, eps);
    const f = () => refRmsnorm(x, wt, rows, dim, eps).out;
    expectNear(dx, numericGrad(x, dout, f));
    expectNear(dweight, numericGrad(wt, dout, f));
  });

  it("swiglu", () => {
    const r = rng(3);
    const gate = randomF64(7, () => 3 * r());
    const up = randomF64(7, r);
    const dout = randomF64(7, r);
    const { dgate, dup } = refSwigluBackward(dout, gate, up);
    expectNear(
      dgate,
      numericGrad(gate, dout, () => refSwiglu(gate, up)),
    );
    expectNear(
      dup,
      numericGrad(up, dout, () => refSwiglu(gate, up)),
    );
  });

  it("causal GQA attention with a key mask", () => {
    const r = rng(4);
    const s = { batch: 2, seqLen: 3, heads: 4, kvHeads: 2, headDim: 3 };
    const q = randomF64(6 * 4 * 3, r);
    const k = randomF64(6 * 2 * 3, r);
    const v = randomF64(6 * 2 * 3, r);
    const mask = new Uint8Array([1, 1, 1, 0, 1, 1]);
    const dout = randomF64(q.length, r);
    const g = refAttentionBackward(dout, q, k, v, mask, s);
    const f = () => refAttention(q, k, v, mask, s).out;
    expectNear(g.dq, numericGrad(q, dout, f));
    expectNear(g.dk, numericGrad(k, dout, f));
    expectNear(g.dv, numericGrad(v, dout, f));
  });
});
