import { Worker } from "node:worker_threads";
import { describe, expect, it } from "vitest";
import { nativeOrSkip, randomArray, rng } from "./helpers.js";

const k = nativeOrSkip();

// Each worker_thread loads the addon and runs large matmuls at the same time as the others; the shared pool serves
// one caller at a time and the others run on their own thread, so every result must match the single-caller one.
const WORKER = `
const { parentPort, workerData } = require("node:worker_threads");
const b = require(workerData.addon);
const { rows, inDim, outDim } = workerData;
const x = new Float32Array(rows * inDim).map((_, i) => ((i * 7) % 13) / 13 - 0.5);
const w = new Float32Array(outDim * inDim).map((_, i) => ((i * 5) % 11) / 11 - 0.5);
const y = new Float32Array(rows * outDim);
for (let it = 0; it < 5; it++) b.matmulForward(y, x, w, null, rows, inDim, outDim);
parentPort.postMessage(y);
`;

describe.skipIf(!k)("concurrent callers", () => {
  it("worker_threads calling at once get the same results as one caller", async () => {
    const shape = { rows: 200, inDim: 300, outDim: 500 };
    const run = () =>
      new Promise<Float32Array>((resolve, reject) => {
        const w = new Worker(WORKER, { eval: true, workerData: { addon: k!.addonPath, ...shape } });
        w.once("message", resolve);
        w.once("error", reject);
      });
    const results = await Promise.all([run(), run(), run()]);
    const { rows, inDim, outDim } = shape;
    const x = new Float32Array(rows * inDim).map((_, i) => ((i * 7) % 13) / 13 - 0.5);
    const w = new Float32Array(outDim * inDim).map((_, i) => ((i * 5) % 11) / 11 - 0.5);
    const y = new Float32Array(rows * outDim);
    k!.matmulForward({ out: y, x, w, rows, inDim, outDim });
    for (const r of results) expect(Buffer.compare(Buffer.from(r.buffer), Buffer.from(y.buffer))).toBe(0);
  });
});

// Backward kernels that sum partial gradients across the pool must sum them in a fixed order: whichever thread picks
// up which part, the same inputs give the same bits (so a seeded training run is reproducible).
describe.skipIf(!k)("reductions in a fixed order", () => {
  const r = rng(7);
  const same = (a: Float32Array, b: Float32Array) => Buffer.compare(Buffer.from(a.buffer), Buffer.from(b.buffer)) === 0;

  it("rmsnormBackward's dweight is bit-identical across repeated runs and thread counts", () => {
    const rows = 3000,
      dim = 96;
    const x = randomArray(rows * dim, r, -2, 2);
    const weight = randomArray(dim, r);
    const dout = randomArray(rows * dim, r);
    const out = new Float32Array(rows * dim);
    const rstd = new Float32Array(rows);
    k!.rmsnormForward({ out, rstd, x, weight, rows, dim, eps: 1e-6 });
    const once = () => {
      const dweight = new Float32Array(dim);
      k!.rmsnormBackward({ dx: new Float32Array(rows * dim), dweight, dout, x, weight, rstd, rows, dim });
      return dweight;
    };
    const first = once();
    for (let i = 0; i < 20; i++) expect(same(once(), first)).toBe(true);
    // Partials per fixed block of rows, not per thread: one thread sums them in the same order as two.
    const threads = k!.threads();
    try {
      for (const n of [1, 3]) {
        k!.setThreads(n);
        expect(same(once(), first)).toBe(true);
      }
    } finally {
      k!.setThreads(threads);
    }
  });

  it("logitsStatsBackward's dh is bit-identical across repeated runs", () => {
    const rows = 256,
      dim = 64,
      vocab = 5000;
    const h = randomArray(rows * dim, r);
    const w = randomArray(vocab * dim, r);
    const targets = Int32Array.from({ length: rows }, (_, i) => (i * 37) % vocab);
    const dlogp = randomArray(rows, r);
    const [logp, entropy, lse] = [0, 1, 2].map(() => new Float32Array(rows));
    k!.logitsStatsForward({ logp, entropy, lse, h, w, targets, rows, dim, vocab, temperature: 1 });
    const once = () => {
      const dh = new Float32Array(rows * dim);
      k!.logitsStatsBackward({ dh, h, w, targets, lse, entropy, dlogp, rows, dim, vocab, temperature: 1 });
      return dh;
    };
    const first = once();
    for (let i = 0; i < 20; i++) expect(same(once(), first)).toBe(true);
  });
});
