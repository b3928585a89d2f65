import { describe, expect, it } from "vitest";
import {
  combineMicroBatches,
  evaluatePolicyLoss,
  grpoLoss,
  klPenalty,
  type KlLossType,
  resolveLossOptions,
  type TokenBatch,
} from "../src/index.js";
import { mapTokenVectors } from "../src/losses/map-vectors.js";
import { expectClose, loadFixtures, toBatch } from "./losses-helpers.js";

const fx = loadFixtures();

describe("grpo loss matches the PyTorch autograd reference (tools/torch-ref/core_losses.py)", () => {
  it("covers every agg mode, every KL type, the entropy bonus and the edge cases", () => {
    const names = fx.cases.map((c) => c.name).join("\n");
    for (const s of [
      "seq-mean-token-sum-norm",
      "kl k3+",
      "kl abs",
      "empty row",
      "single valid token",
      "all-zero advantages",
      "asymmetric clip",
    ]) {
      expect(names).toContain(s);
    }
  });

  for (const c of fx.cases) {
    it(c.name, () => {
      const { common, options } = resolveLossOptions(grpoLoss, c.config);
      const batch = toBatch(c.input);
      const out = evaluatePolicyLoss(grpoLoss.create(options), batch, common);
      expectClose([out.loss], [c.expected.loss], "loss");
      expectClose(out.gradLogp, c.expected.gradLogp.flat(), "gradLogp");
      if (c.expected.gradEntropy) expectClose(out.gradEntropy!, c.expected.gradEntropy.flat(), "gradEntropy");
      else expect(out.gradEntropy).toBeUndefined();
      for (const [k, v] of Object.entries(c.expected.metrics)) expectClose([out.metrics[k]], [v], `metrics.${k}`);
      // gradients are exactly 0 on padding
      for (let i = 0; i < batch.mask.length; i++) {
        if (batch.mask[i] === 0) {
          expect(out.gradLogp[i]).toBe(0);
          if (out.gradEntropy) expect(out.gradEntropy[i]).toBe(0);
        }
      }
    });
  }

  it("float32 inputs give the float64 result of their (rounded) values", () => {
    const c = fx.cases.find((x) => x.name === "everything at once")!;
    const b64 = toBatch(c.input);
    const rounded = mapTokenVectors(b64, (v) => Float64Array.from(Float32Array.from(v)));
    const single = mapTokenVectors(b64, (v) => Float32Array.from(v));
    const { common, options } = resolveLossOptions(grpoLoss, c.config);
    const a = evaluatePolicyLoss(grpoLoss.create(options), single, common);
    const b = evaluatePolicyLoss(grpoLoss.create(options), rounded, common);
    expect(a.loss).toBe(b.loss);
    expect(Array.from(a.gradLogp)).toEqual(Array.from(b.gradLogp));
  });
});

describe("klPenalty matches the reference value and gradient of every type", () => {
  for (const v of fx.klVectors) {
    it(v.type, () => {
      const out = klPenalty(Float64Array.from(v.logp), Float64Array.from(v.refLogp), v.type as KlLossType);
      expectClose(out.value, v.value, "value");
      expectClose(out.grad, v.grad, "grad");
    });
  }
});

describe("micro-batch combination matches the reference", () => {
  for (const m of fx.microBatches) {
    it(m.name, () => {
      const { common, options } = resolveLossOptions(grpoLoss, m.config);
      const full = toBatch(m.input);
      const outs = m.slices.map(([a, b]) => {
        const rows = b - a;
        const s = (v: ArrayLike<number> | undefined) =>
          v ? Float64Array.from(Array.from(v).slice(a * full.cols, b * full.cols)) : undefined;
        const part: TokenBatch = {
          rows,
          cols: full.cols,
          mask: full.mask.slice(a * full.cols, b * full.cols),
          logp: s(full.logp)!,
          oldLogp: s(full.oldLogp)!,
          refLogp: s(full.refLogp),
          entropy: s(full.entropy),
          advantages: s(full.advantages)!,
        };
        return evaluatePolicyLoss(grpoLoss.create(options), part, common);
      });
      const mean = combineMicroBatches(outs, "microBatchMean", m.tokenCounts);
      const global = combineMicroBatches(outs, "globalTokenMean", m.tokenCounts);
      expectClose([mean.loss], [m.microBatchMean], "microBatchMean");
      expectClose([global.loss], [m.globalTokenMean], "globalTokenMean");
      expect(mean.gradLogp.length).toBe(full.rows * full.cols);
      // the combined gradient is each micro-batch's gradient times its weight, rows in order
      expectClose(
        mean.gradLogp.subarray(0, 2 * full.cols),
        Array.from(outs[0].gradLogp, (g) => g / 3),
        "gradLogp slice 0",
      );
    });
  }
});
