import { describe, expect, it } from "vitest";
import { expectClose, nativeOrSkip, randomArray, rng } from "./helpers.js";
import { refRmsnorm, refRmsnormBackward, refSwiglu, refSwigluBackward } from "./reference.js";

const k = nativeOrSkip();

describe.skipIf(!k)("native rmsnorm, swiglu, adamw", () => {
  it("rmsnorm forward and backward on odd sizes", () => {
    const r = rng(30);
    for (const rows of [1, 3, 17, 129])
      for (const dim of [1, 3, 17, 33, 129]) {
        const eps = 1e-6;
        const x = randomArray(rows * dim, r, -2, 2);
        const weight = randomArray(dim, r);
        const out = new Float32Array(rows * dim);
        const rstd = new Float32Array(rows);
        k!.rmsnormForward({ out, rstd, x, weight, rows, dim, eps });
        const ref = refRmsnorm(x, weight, rows, dim, eps);
        expectClose(out, ref.out, 1e-5, 1e-6, `out ${rows}x${dim}`);
        expectClose(rstd, ref.rstd, 1e-5, 1e-6, `rstd ${rows}x${dim}`);
        const dout = randomArray(rows * dim, r);
        const dx = new Float32Array(rows * dim).fill(Number.NaN);
        const dweight = new Float32Array(dim).fill(0.25);
        k!.rmsnormBackward({ dx, dweight, dout, x, weight, rstd, rows, dim });
        const g = refRmsnormBackward(dout, x, weight, rows, dim, eps);
        expectClose(dx, g.dx, 1e-4, 1e-5, `dx ${rows}x${dim}`);
        expectClose(
          dweight,
          g.dweight.map((v) => v + 0.25),
          1e-4,
          1e-5,
          `dweight ${rows}x${dim}`,
        );
        const prior = randomArray(rows * dim, r);
        const acc = prior.slice();
        k!.rmsnormBackward({ dx: acc, dout, x, weight, rstd, rows, dim, accumulate: true });
        expectClose(
          acc,
          g.dx.map((v, i) => v + prior[i]),
          1e-4,
          1e-5,
          `dx+= ${rows}x${dim}`,
        );
      }
  });

  it("swiglu forward and backward, including large |gate|", () => {
    const r = rng(31);
    for (const n of [1, 3, 17, 33, 129, 70001]) {
      const gate = randomArray(n, r, -12, 12);
      if (n > 3) gate.set([-100, 100, 0], 0);
      const up = randomArray(n, r);
      const out = new Float32Array(n);
      k!.swigluForward({ out, gate, up, length: n });
      expectClose(out, refSwiglu(gate, up), 1e-5, 1e-6, `swiglu ${n}`);
      const dout = randomArray(n, r);
      const dgate = new Float32Array(n);
      const dup = new Float32Array(n);
      k!.swigluBackward({ dgate, dup, dout, gate, up, length: n });
      const g = refSwigluBackward(dout, gate, up);
      expectClose(dgate, g.dgate, 1e-5, 1e-6, `dgate ${n}`);
      expectClose(dup, g.dup, 1e-5, 1e-6, `dup ${n}`);
      const pg = randomArray(n, r);
      const pu = randomArray(n, r);
      const ag = pg.slice();
      const au = pu.slice();
      k!.swigluBackward({ dgate: ag, dup: au, dout, gate, up, length: n, accumulate: true });
      expectClose(
        ag,
        g.dgate.map((v, i) => v + pg[i]),
        1e-5,
        1e-6,
        `dgate+= ${n}`,
      );
      expectClose(
        au,
        g.dup.map((v, i) => v + pu[i]),
        1e-5,
        1e-6,
        `dup+= ${n}`,
      );
    }
  });

  it("sumSquares accumulates in float64", () => {
    const r = rng(32);
    for (const n of [0, 1, 3, 17, 1025, 300001]) {
      const x = randomArray(n, r);
      let ref = 0;
      for (let i = 0; i < n; i++) ref += x[i] * x[i];
      expect(Math.abs(k!.sumSquares(x) - ref)).toBeLessThanOrEqual(1e-6 * (1 + ref));
    }
  });

  it("adamwUpdate follows PyTorch AdamW (decoupled decay, bias correction, grad scale) over 3 steps", () => {
    const r = rng(33);
    for (const n of [1, 3, 17, 40000]) {
      const param = randomArray(n, r);
      const m = new Float32Array(n);
      const v = new Float32Array(n);
      const p64 = Float64Array.from(param);
      const m64 = new Float64Array(n);
      const v64 = new Float64Array(n);
      const [lr, beta1, beta2, eps, weightDecay, gradScale] = [1e-2, 0.9, 0.95, 1e-8, 0.1, 0.5];
      for (let step = 1; step <= 3; step++) {
        const grad = randomArray(n, r);
        k!.adamwUpdate({ param, grad, m, v, lr, beta1, beta2, eps, weightDecay, step, gradScale });
        for (let i = 0; i < n; i++) {
          const g = grad[i] * gradScale;
          p64[i] *= 1 - lr * weightDecay;
          m64[i] = beta1 * m64[i] + (1 - beta1) * g;
          v64[i] = beta2 * v64[i] + (1 - beta2) * g * g;
          p64[i] -= ((lr / (1 - beta1 ** step)) * m64[i]) / (Math.sqrt(v64[i]) / Math.sqrt(1 - beta2 ** step) + eps);
        }
      }
      expectClose(param, p64, 1e-5, 1e-6, `param ${n}`);
      expectClose(m, m64, 1e-5, 1e-7, `m ${n}`);
      expectClose(v, v64, 1e-5, 1e-8, `v ${n}`);
    }
  });
});
