import { describe, expect, it } from "vitest";
import { createFastCpuBackend, createReferenceBackend, loadFastKernels, selectBackend } from "../src/index.js";
import { randomArray } from "../src/testing/index.js";

const { kernels, reason } = await loadFastKernels();

describe.skipIf(!kernels)(`fast CPU backend specifics${kernels ? "" : ` (skipped: ${reason})`}`, () => {
  const make = () => createFastCpuBackend(kernels as NonNullable<typeof kernels>);

  it("selectBackend('auto') and ('fast') give it when the kernels load", async () => {
    expect((await selectBackend("auto")).name).toBe("cpu");
    expect((await selectBackend("fast")).name).toBe("cpu");
  });

  it("small-batch matmuls through prepacked weights equal the unpacked kernel bit for bit, and see weight updates", () => {
    const k = kernels as NonNullable<typeof kernels>;
    const be = make();
    for (const [inDim, outDim] of [
      [384, 1024],
      [37, 53],
      [1024, 384],
    ]) {
      const wData = randomArray(outDim * inDim, inDim, 0.2);
      const bias = randomArray(outDim, 3);
      const w = be.alloc(wData.length);
      be.upload(w, wData);
      const bb = be.alloc(outDim);
      be.upload(bb, bias);
      for (const rows of [1, 7, 64, 300]) {
        const x = randomArray(rows * inDim, rows);
        const xb = be.alloc(x.length);
        be.upload(xb, x);
        const y = be.alloc(rows * outDim);
        be.matmulForward({ out: y, x: xb, w, bias: bb, rows, inDim, outDim });
        const exp = new Float32Array(rows * outDim);
        k.matmulForward({ out: exp, x, w: wData, bias, rows, inDim, outDim });
        expect(be.download(y)).toEqual(exp);
      }
      // An update of the weights (here through upload) invalidates the packing.
      wData[5] += 1;
      be.upload(w, wData.subarray(5, 6), 5);
      const x = randomArray(2 * inDim, 9);
      const xb = be.alloc(x.length);
      be.upload(xb, x);
      const y = be.alloc(2 * outDim);
      be.matmulForward({ out: y, x: xb, w, rows: 2, inDim, outDim });
      const exp = new Float32Array(2 * outDim);
      k.matmulForward({ out: exp, x, w: wData, rows: 2, inDim, outDim });
      expect(be.download(y)).toEqual(exp);
    }
  });

  it("a freed buffer's memory is reused zero-filled, and the old handle stays dead", () => {
    const be = make();
    const a = be.alloc(1000);
    be.fill(a, 3);
    be.free(a);
    const b = be.alloc(1000);
    expect(be.download(b).every((v) => v === 0)).toBe(true);
    expect(() => be.download(a)).toThrow(expect.objectContaining({ code: "BACKEND_BUFFER_FREED" }));
    be.fill(b, 1);
    expect(be.download(b)[999]).toBe(1);
  });

  it("rope from cached tables is bit-identical to the reference, also past the cached range", () => {
    const fast = make();
    const ref = createReferenceBackend();
    const [heads, headDim, theta] = [3, 8, 1e6];
    for (const positions of [Int32Array.from([0, 5, 17]), Int32Array.from([4000, 3, 70000]), Int32Array.from([2, 1_000_000_000, 9])]) {
      const rows = positions.length;
      const x = randomArray(rows * heads * headDim, rows, 2);
      const out = [fast, ref].map((be) => {
        const b = be.alloc(x.length);
        be.upload(b, x);
        be.ropeForward({ out: b, x: b, positions, rows, heads, headDim, theta });
        const d = be.alloc(x.length);
        be.fill(d, 0.5);
        be.ropeBackward({ dOut: b, dx: d, positions, rows, heads, headDim, theta });
        return [Array.from(be.download(b)), Array.from(be.download(d))];
      });
      expect(out[0]).toEqual(out[1]);
    }
  });

  it("lazy zero-filling: recycled and fill(0) buffers read as zeros around partial writes", () => {
    const be = make();
    const a = be.alloc(10);
    be.fill(a, 3);
    be.free(a);
    const b = be.alloc(10); // recycled: logically zero, memory not yet cleared
    be.upload(b, new Float32Array([1, 2]), 5);
    expect(Array.from(be.download(b))).toEqual([0, 0, 0, 0, 0, 1, 2, 0, 0, 0]);
    be.fill(b, 0);
    const x = be.alloc(3);
    be.upload(x, new Float32Array([1, 2, 3]));
    const w = be.alloc(6);
    be.upload(w, new Float32Array([1, 0, 0, 0, 1, 0]));
    be.matmulForward({ out: b, x, w, rows: 1, inDim: 3, outDim: 2 }); // writes 2 of the 10 values
    expect(Array.from(be.download(b))).toEqual([1, 2, 0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it("accumulating kernels write into zeroed outputs and add into the others, like the reference", () => {
    const fast = make();
    const ref = createReferenceBackend();
    const [batch, seqLen, heads, kvHeads, headDim] = [2, 5, 4, 2, 4];
    const rows = batch * seqLen;
    const nq = rows * heads * headDim;
    const nk = rows * kvHeads * headDim;
    const I = 7;
    const inputs = { q: randomArray(nq, 1), k: randomArray(nk, 2), v: randomArray(nk, 3), dOut: randomArray(nq, 4), gate: randomArray(rows * I, 5, 3), up: randomArray(rows * I, 6), dAct: randomArray(rows * I, 7) };
    const positions = Int32Array.from({ length: rows }, (_, i) => i % seqLen);
    const run = (be: typeof fast) => {
      const up = (a: Float32Array) => {
        const b = be.alloc(a.length);
        be.upload(b, a);
        return b;
      };
      const [q, k, v, dOut, gate, upb, dAct] = [inputs.q, inputs.k, inputs.v, inputs.dOut, inputs.gate, inputs.up, inputs.dAct].map(up);
      const probs = be.alloc(batch * heads * seqLen * seqLen);
      const att = be.alloc(nq);
      be.attentionForward({ out: att, q, k, v, batch, seqLen, heads, kvHeads, headDim, probs });
      const outs = [be.alloc(nq), be.alloc(nk), be.alloc(nk), be.alloc(rows * I), be.alloc(rows * I), be.alloc(nq), be.alloc(nq)];
      const [dq, dk, dv, dGate, dUp, dRope, dRes] = outs;
      const results: number[][] = [];
      for (const pass of [0, 1, 2]) {
        if (pass === 0) for (const o of outs) be.fill(o, 5); // dirty, then zeroed lazily:
        if (pass === 0) for (const o of outs) be.fill(o, 0);
        be.attentionBackward({ dOut, q, k, v, probs, dq, dk, dv, batch, seqLen, heads, kvHeads, headDim });
        be.swigluBackward({ dOut: dAct, gate, up: upb, dGate, dUp, length: rows * I });
        be.ropeBackward({ dOut, dx: dRope, positions, rows, heads, headDim, theta: 1e4 });
        be.residualBackward({ dOut, da: dRes, length: nq });
        results.push(...outs.map((o) => Array.from(be.download(o))));
      }
      return results;
    };
    const got = run(fast);
    const exp = run(ref);
    got.forEach((g, i) => {
      g.forEach((x, j) => {
        expect(Math.abs(x - exp[i][j])).toBeLessThan(1e-5 * (1 + Math.abs(exp[i][j])));
      });
    });
  });

  it("buffers of another backend are rejected", () => {
    const be = make();
    const foreign = createReferenceBackend().alloc(4);
    expect(() => be.fill(foreign)).toThrow(expect.objectContaining({ code: "BACKEND_FOREIGN_BUFFER" }));
  });
});
