import { describe, expect, it } from "vitest";
import { expectClose, gemmIsas, nativeOrSkip, useIsa, randomArray, rng } from "./helpers.js";
import { refLogitsBackward, refLogitsForward } from "./reference.js";

const k = nativeOrSkip();

function targetsFor(rows: number, vocab: number, r: (lo?: number, hi?: number) => number): Int32Array {
  const t = new Int32Array(rows);
  for (let i = 0; i < rows; i++) t[i] = i % 5 === 3 ? -1 : Math.floor(r(0, vocab));
  return t;
}

// Vocabulary sizes crossing the forward chunk (512) and the backward chunk (256); odd row counts and dims.
const CASES: Array<[rows: number, dim: number, vocab: number]> = [
  [1, 1, 1],
  [3, 3, 3],
  [17, 17, 17],
  [33, 33, 129],
  [129, 17, 600],
  [5, 65, 1030],
  [300, 9, 33],
];

for (const isa of gemmIsas(k))
  describe(`native fused logits → (logp, entropy) ({isa})`, () => {
    useIsa(k, isa);
    it("forward matches the materialised float64 reference (T = 1 and 0.7, skipped rows)", () => {
      const r = rng(20);
      for (const [rows, dim, vocab] of CASES)
        for (const temperature of [1, 0.7]) {
          const h = randomArray(rows * dim, r, -2, 2);
          const w = randomArray(vocab * dim, r, -1, 1);
          const targets = targetsFor(rows, vocab, r);
          const logp = new Float32Array(rows).fill(Number.NaN);
          const entropy = new Float32Array(rows).fill(Number.NaN);
          const lse = new Float32Array(rows).fill(Number.NaN);
          k!.logitsStatsForward({ logp, entropy, lse, h, w, targets, rows, dim, vocab, temperature });
          const ref = refLogitsForward(h, w, targets, rows, dim, vocab, temperature);
          const label = `${rows}x${dim}x${vocab} T=${temperature}`;
          expectClose(logp, ref.logp, 1e-4, 2e-5, `logp ${label}`);
          expectClose(entropy, ref.entropy, 1e-4, 2e-5, `entropy ${label}`);
          expectClose(lse, ref.lse, 1e-4, 2e-5, `lse ${label}`);
        }
    });

    it("forward is stable for large logits (entropy from shifted sums, no cancellation)", () => {
      const rows = 2,
        dim = 1,
        vocab = 700;
      const h = new Float32Array([60, -60]);
      const w = new Float32Array(vocab).map((_, i) => 1 + (i % 7) * 1e-3);
      const targets = new Int32Array([0, 699]);
      const logp = new Float32Array(rows);
      const entropy = new Float32Array(rows);
      k!.logitsStatsForward({ logp, entropy, h, w, targets, rows, dim, vocab, temperature: 1 });
      const ref = refLogitsForward(h, w, targets, rows, dim, vocab, 1);
      expectClose(logp, ref.logp, 1e-4, 1e-5, "logp");
      expectClose(entropy, ref.entropy, 1e-4, 1e-5, "entropy");
    });

    it("backward gives dh (= or +=) and accumulates dw, on odd sizes", () => {
      const r = rng(21);
      for (const [rows, dim, vocab] of CASES)
        for (const temperature of [1, 0.7]) {
          const h = randomArray(rows * dim, r, -2, 2);
          const w = randomArray(vocab * dim, r, -1, 1);
          const targets = targetsFor(rows, vocab, r);
          const dlogp = randomArray(rows, r);
          const dentropy = randomArray(rows, r);
          const logp = new Float32Array(rows);
          const entropy = new Float32Array(rows);
          const lse = new Float32Array(rows);
          k!.logitsStatsForward({ logp, entropy, lse, h, w, targets, rows, dim, vocab, temperature });
          const dh = new Float32Array(rows * dim).fill(Number.NaN);
          const priorW = randomArray(vocab * dim, r);
          const dw = priorW.slice();
          k!.logitsStatsBackward({
            dh,
            dw,
            h,
            w,
            targets,
            lse,
            entropy,
            dlogp,
            dentropy,
            rows,
            dim,
            vocab,
            temperature,
          });
          const ref = refLogitsBackward(h, w, targets, dlogp, dentropy, rows, dim, vocab, temperature);
          const label = `${rows}x${dim}x${vocab} T=${temperature}`;
          expectClose(dh, ref.dh, 2e-4, 2e-5, `dh ${label}`);
          expectClose(
            dw,
            ref.dw.map((v, i) => v + priorW[i]),
            2e-4,
            2e-5,
            `dw ${label}`,
          );
          const priorH = randomArray(rows * dim, r);
          const dhAcc = priorH.slice();
          k!.logitsStatsBackward({
            dh: dhAcc,
            dw,
            h,
            w,
            targets,
            lse,
            entropy,
            dlogp,
            dentropy,
            rows,
            dim,
            vocab,
            temperature,
            accumulate: true,
          });
          expectClose(
            dhAcc,
            ref.dh.map((v, i) => v + priorH[i]),
            2e-4,
            2e-5,
            `dh+= ${label}`,
          );
        }
    });

    it("backward with only dlogp (dentropy omitted) equals the reference with dentropy = 0", () => {
      const r = rng(22);
      const rows = 9,
        dim = 7,
        vocab = 300;
      const h = randomArray(rows * dim, r);
      const w = randomArray(vocab * dim, r);
      const targets = targetsFor(rows, vocab, r);
      const dlogp = randomArray(rows, r);
      const logp = new Float32Array(rows);
      const entropy = new Float32Array(rows);
      const lse = new Float32Array(rows);
      k!.logitsStatsForward({ logp, entropy, lse, h, w, targets, rows, dim, vocab, temperature: 1.3 });
      const dh = new Float32Array(rows * dim);
      const dw = new Float32Array(vocab * dim);
      k!.logitsStatsBackward({ dh, dw, h, w, targets, lse, entropy, dlogp, rows, dim, vocab, temperature: 1.3 });
      const ref = refLogitsBackward(h, w, targets, dlogp, new Float64Array(rows), rows, dim, vocab, 1.3);
      expectClose(dh, ref.dh, 2e-4, 2e-5, "dh");
      expectClose(dw, ref.dw, 2e-4, 2e-5, "dw");
      // Either gradient may be left out.
      const dhOnly = new Float32Array(rows * dim);
      k!.logitsStatsBackward({ dh: dhOnly, h, w, targets, lse, entropy, dlogp, rows, dim, vocab, temperature: 1.3 });
      expectClose(dhOnly, ref.dh, 2e-4, 2e-5, "dh only");
      const dwOnly = new Float32Array(vocab * dim);
      k!.logitsStatsBackward({ dw: dwOnly, h, w, targets, lse, entropy, dlogp, rows, dim, vocab, temperature: 1.3 });
      expectClose(dwOnly, ref.dw, 2e-4, 2e-5, "dw only");
    });

    it("rejects out-of-range targets and bad temperatures", () => {
      const args = {
        logp: new Float32Array(1),
        entropy: new Float32Array(1),
        h: new Float32Array(2),
        w: new Float32Array(6),
        rows: 1,
        dim: 2,
        vocab: 3,
      };
      expect(() => k!.logitsStatsForward({ ...args, targets: new Int32Array([3]), temperature: 1 })).toThrow(
        /outside \[0, 3\)/,
      );
      expect(() => k!.logitsStatsForward({ ...args, targets: new Int32Array([0]), temperature: 0 })).toThrow(
        /temperature/,
      );
    });
  });
