import { Worker } from "node:worker_threads";
import { describe, expect, it } from "vitest";
import { nativeOrSkip } from "./helpers.js";

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
