import { describe, expect, it } from "vitest";
import {
  absKlTerms,
  aggregate,
  badLossOption,
  checkNumberOption,
  withLossDefaults,
  aggregationWeights,
  broadcastAdvantages,
  combineMicroBatches,
  createPolicyLossRegistry,
  drGrpoAdvantageEstimator,
  evaluatePolicyLoss,
  gradcheck,
  gradcheckPolicyLoss,
  grpoAdvantageEstimator,
  grpoLoss,
  grpoTokenTerms,
  klPenalty,
  lossOutputToJson,
  maskedMean,
  microBatchWeights,
  resolveGrpoClip,
  resolveLossOptions,
  rowAggregationWeights,
  tokenBatchFromJson,
} from "../src/index.js";

// The `@example` blocks of the loss library's doc comments, run as written.
describe("doc-comment examples of the loss library", () => {
  it("aggregation", () => {
    expect(Array.from(aggregationWeights(new Uint8Array([1, 1, 0, 1]), 2, 2, "seq-mean-token-mean"))).toEqual([
      0.25, 0.25, 0, 0.5,
    ]);
    expect(Array.from(rowAggregationWeights(new Uint8Array([1, 1, 0, 1]), 2, 2, "seq-mean-token-mean"))).toEqual([
      0.25, 0.5,
    ]);
    expect(aggregate(new Float64Array([1, 3, 9, 5]), new Uint8Array([1, 1, 0, 1]), 2, 2, "seq-mean-token-mean")).toBe(
      3.5,
    );
    expect(maskedMean(new Float64Array([2, 4, 100]), new Uint8Array([1, 1, 0]))).toBeCloseTo(3, 7);
  });
  it("option checks for loss authors", () => {
    expect(checkNumberOption("clipRatio", 0.2, (x) => x >= 0, "a number >= 0")).toBe(0.2);
    expect(() => checkNumberOption("clipRatio", -1, (x) => x >= 0, "a number >= 0")).toThrow(
      expect.objectContaining({ code: "LOSS_BAD_OPTION", message: "`clipRatio` must be a number >= 0, got -1" }),
    );
    expect(() => checkNumberOption("x", Number.NaN, () => true, "finite")).toThrow(/must be finite, got null/);
    expect(() => badLossOption("mode", "c", "one of a, b")).toThrow('`mode` must be one of a, b, got "c"');
    expect(
      withLossDefaults("my-loss", { beta: 0.1, frac: 0.2 }, { beta: 0.5, frac: null as unknown as number }),
    ).toEqual({
      beta: 0.5,
      frac: 0.2,
    });
    expect(() => withLossDefaults("my-loss", { beta: 0.1 }, { gamma: 1 } as never)).toThrow(
      expect.objectContaining({
        code: "LOSS_UNKNOWN_OPTION",
        message: "unknown option `gamma` for loss `my-loss`; valid options: beta",
      }),
    );
  });
  it("absKlTerms", () => {
    const t = absKlTerms(
      {
        rows: 1,
        cols: 2,
        mask: new Uint8Array([1, 0]),
        logp: new Float64Array([-1, 7]),
        oldLogp: new Float64Array([-1.5, 7]),
        advantages: new Float64Array([0, 9]),
      },
      [0.2, 5],
    );
    expect(t.loss[0]).toBeCloseTo(0.1, 15);
    expect(t.dLogp[0]).toBeCloseTo(0.2, 15);
    expect([t.loss[1], t.dLogp[1]]).toEqual([0, 0]); // masked out
    expect(t.penalizedAbsLogRatio).toBeCloseTo(0.5, 15);
    expect(t.metrics).toEqual({ ppo_kl: expect.closeTo(0.5, 6), pg_clipfrac: 0, pg_clipfrac_lower: 0 });
  });
  it("klPenalty, grpo, evaluate, options, registry", () => {
    expect(klPenalty(new Float64Array([-1]), new Float64Array([-1.5]), "k3").value[0]).toBeCloseTo(
      0.10653065971263342,
      15,
    );
    const b1 = {
      rows: 1,
      cols: 2,
      mask: new Uint8Array([1, 1]),
      logp: new Float64Array([-1, -2]),
      oldLogp: new Float64Array([-1, -2]),
      advantages: new Float64Array([1, 1]),
    };
    expect(Array.from(grpoTokenTerms(b1, { clipRatio: 0.2 }).loss)).toEqual([-1, -1]);
    expect(resolveGrpoClip({ clipRatioHigh: 0.28 })).toEqual({ clipRatioLow: 0.2, clipRatioHigh: 0.28, clipRatioC: 3 });
    const out = evaluatePolicyLoss(grpoLoss.create({ clipRatioHigh: 0.28 }), {
      rows: 1,
      cols: 2,
      mask: new Uint8Array([1, 0]),
      logp: new Float64Array([-1, 0]),
      oldLogp: new Float64Array([-1, 0]),
      advantages: new Float64Array([1, 0]),
    });
    expect(out.loss).toBeCloseTo(-1, 7);
    const { common, options } = resolveLossOptions(grpoLoss, { useKlLoss: true, clipRatioHigh: 0.28 });
    expect(common.klLossType).toBe("low_var_kl");
    expect(options).toEqual({ clipRatioHigh: 0.28 });
    expect(createPolicyLossRegistry([grpoLoss]).get("grpo").defaults.clipRatio).toBe(0.2);
  });
  it("micro-batches, gradcheck, JSON", () => {
    expect(Array.from(microBatchWeights("microBatchMean", [10, 30]))).toEqual([0.5, 0.5]);
    expect(Array.from(microBatchWeights("globalTokenMean", [10, 30]))).toEqual([0.25, 0.75]);
    const a = { loss: 1, gradLogp: new Float64Array([0.5, 0.5]), metrics: { pg_loss: 1 } };
    const b = { loss: 3, gradLogp: new Float64Array([1, 0]), metrics: { pg_loss: 3 } };
    expect(combineMicroBatches([a, b], "globalTokenMean", [2, 1]).loss).toBeCloseTo(5 / 3, 15);
    expect(
      gradcheck((x) => ({ value: x[0] * x[0], grad: new Float64Array([2 * x[0]]) }), new Float64Array([3])).ok,
    ).toBe(true);
    const batch = {
      rows: 1,
      cols: 2,
      mask: new Uint8Array([1, 1]),
      logp: new Float64Array([-1, -2]),
      oldLogp: new Float64Array([-1.05, -1.9]),
      refLogp: new Float64Array([-1.2, -2.2]),
      advantages: new Float64Array([0.7, 0.7]),
    };
    expect(gradcheckPolicyLoss(grpoLoss.create({}), batch, { useKlLoss: true, klLossType: "k3" }).ok).toBe(true);
    expect(tokenBatchFromJson({ mask: [[1, 0]], logp: [[-1, 0]], oldLogp: [[-1, 0]], advantages: [[1, 0]] }).cols).toBe(
      2,
    );
    expect(lossOutputToJson({ loss: 1, gradLogp: new Float64Array([0.5, 0]), metrics: {} }, 1, 2).gradLogp).toEqual([
      [0.5, 0],
    ]);
  });
  it("advantages", () => {
    expect(Array.from(broadcastAdvantages([2, -1], new Uint8Array([1, 1, 1, 0]), 2, 2))).toEqual([2, 2, -1, 0]);
    const g = grpoAdvantageEstimator.create({}).compute([1, 0], ["q1", "q1"]);
    expect(g[0]).toBeCloseTo(Math.SQRT1_2, 5);
    expect(Array.from(drGrpoAdvantageEstimator.create({}).compute([1, 0], [0, 0]))).toEqual([0.5, -0.5]);
  });
});
