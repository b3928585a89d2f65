// On a GPU (SENTRL_CUDA_TESTS=1, see vitest.config.ts): the conformance suite with cuBLAS when it loads and with our
// tiled SGEMM, and bit-identical repeats. Elsewhere it skips with the probe's reason.
import { runBackendConformance } from "@sentrl/compute/testing";
import { describe, expect, it } from "vitest";
import { createCudaBackend, probeCuda } from "../src/index.js";

const probe = probeCuda();
const reason = probe.available ? "" : probe.reason;

describe.skipIf(!!reason)(`CUDA backend on a GPU${reason ? ` (skipped: ${reason})` : ""}`, () => {
  describe("with cuBLAS when found", () => runBackendConformance(() => createCudaBackend(), { describe, it }));
  describe("with our SGEMM", () => runBackendConformance(() => createCudaBackend({ cublas: false }), { describe, it }));

  it("two runs of the fused head backward are bit-identical", () => {
    const be = createCudaBackend();
    const [rows, dim, vocab] = [64, 96, 50000];
    const up = (n: number, s: number) => {
      const b = be.alloc(n);
      be.upload(
        b,
        Float32Array.from({ length: n }, (_, i) => Math.sin(i * s) * 0.5),
      );
      return b;
    };
    const [h, w] = [up(rows * dim, 0.37), up(vocab * dim, 0.11)];
    const targets = Int32Array.from({ length: rows }, (_, r) => (r * 7919) % vocab);
    const [logp, entropy, lse] = [be.alloc(rows), be.alloc(rows), be.alloc(rows)];
    be.logitsStatsForward({ logp, entropy, lse, h, w, targets, rows, dim, vocab, temperature: 1 });
    const run = () => {
      const [dh, dw] = [be.alloc(rows * dim), be.alloc(vocab * dim)];
      be.logitsStatsBackward({
        h,
        w,
        targets,
        lse,
        entropy,
        dLogp: up(rows, 0.5),
        dEntropy: up(rows, 0.7),
        dh,
        dw,
        rows,
        dim,
        vocab,
        temperature: 1,
      });
      return [be.download(dh), be.download(dw)];
    };
    const [a, b] = [run(), run()];
    expect(Buffer.from(a[0].buffer).equals(Buffer.from(b[0].buffer))).toBe(true);
    expect(Buffer.from(a[1].buffer).equals(Buffer.from(b[1].buffer))).toBe(true);
  });
});
