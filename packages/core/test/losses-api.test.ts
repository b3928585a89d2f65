import { describe, expect, it } from "vitest";
import {
  aggregate,
  aggregationWeights,
  COMMON_LOSS_DEFAULTS,
  combineMicroBatches,
  createPolicyLossRegistry,
  evaluatePolicyLoss,
  grpoLoss,
  grpoTokenTerms,
  maskedMean,
  microBatchWeights,
  type PolicyLoss,
  type PolicyLossDefinition,
  resolveLossOptions,
  type TokenBatch,
} from "../src/index.js";

const code = (c: string) => expect.objectContaining({ code: c });

function small(): TokenBatch {
  return {
    rows: 2,
    cols: 3,
    mask: Uint8Array.of(1, 1, 0, 1, 0, 0),
    logp: Float64Array.of(-1, -2, 0.5, -0.3, 9, 9),
    oldLogp: Float64Array.of(-1.1, -1.9, 0, -0.3, 0, 0),
    refLogp: Float64Array.of(-1.2, -2.5, 0, -0.1, 0, 0),
    entropy: Float64Array.of(0.5, 1.5, 7, 0.2, 7, 7),
    advantages: Float64Array.of(0.8, 0.8, 3, -1, 3, 3),
  };
}

describe("aggregation (docs/algorithms.md §6.4, SENT-repo semantics)", () => {
  const mask = Uint8Array.of(1, 1, 0, 0, 0, 0, 1, 0, 0); // rows: 2 tokens, empty, 1 token
  const v = Float64Array.of(1, 3, 99, 99, 99, 99, 5, 99, 99);
  it("token-mean divides by Σmask + 1e-8", () => {
    expect(aggregate(v, mask, 3, 3, "token-mean")).toBe(9 / (3 + 1e-8));
  });
  it("seq-mean-token-sum counts empty rows in the row mean", () => {
    expect(aggregate(v, mask, 3, 3, "seq-mean-token-sum")).toBeCloseTo((4 + 0 + 5) / 3, 15);
  });
  it("seq-mean-token-mean leaves an empty row out of the row mean (docs/contracts.md §2 deviation)", () => {
    expect(aggregate(v, mask, 3, 3, "seq-mean-token-mean")).toBeCloseTo((2 + 5) / 2, 15);
  });
  it("seq-mean-token-sum-norm divides by cols or lossAggNorm", () => {
    expect(aggregate(v, mask, 3, 3, "seq-mean-token-sum-norm")).toBeCloseTo(3, 15);
    expect(aggregate(v, mask, 3, 3, "seq-mean-token-sum-norm", 9)).toBeCloseTo(1, 15);
  });
  it("weights are 0 on padding and all 0 for an empty mask", () => {
    const w = aggregationWeights(mask, 3, 3, "seq-mean-token-mean");
    expect(Array.from(w)).toEqual([0.25, 0.25, 0, 0, 0, 0, 0.5, 0, 0]);
    for (const m of ["token-mean", "seq-mean-token-sum", "seq-mean-token-mean", "seq-mean-token-sum-norm"] as const) {
      expect(Array.from(aggregationWeights(new Uint8Array(4), 2, 2, m))).toEqual([0, 0, 0, 0]);
    }
  });
  it("rejects an unknown mode and a bad norm", () => {
    expect(() => aggregationWeights(mask, 3, 3, "mean" as never)).toThrow(code("LOSS_BAD_OPTION"));
    expect(() => aggregationWeights(mask, 3, 3, "seq-mean-token-sum-norm", 0)).toThrow(code("LOSS_BAD_OPTION"));
  });
  it("maskedMean", () => {
    expect(maskedMean(Float64Array.of(2, 4, Number.NaN), Uint8Array.of(1, 1, 0))).toBe(6 / (2 + 1e-8));
  });
});

describe("evaluatePolicyLoss", () => {
  it("total = pg − entropyCoeff·agg(H) + klLossCoef·agg(kl), each part reported as a metric", () => {
    const b = small();
    const out = evaluatePolicyLoss(grpoLoss.create({}), b, {
      useKlLoss: true,
      klLossCoef: 0.5,
      klLossType: "k1",
      entropyCoeff: 0.1,
    });
    const kl = (-1 + 1.2 + (-2 + 2.5) + (-0.3 + 0.1)) / (3 + 1e-8);
    const ent = (0.5 + 1.5 + 0.2) / (3 + 1e-8);
    expect(out.metrics.kl_loss).toBeCloseTo(kl, 14);
    expect(out.metrics.entropy).toBeCloseTo(ent, 14);
    expect(out.loss).toBeCloseTo(out.metrics.pg_loss - 0.1 * ent + 0.5 * kl, 14);
    expect(Array.from(out.gradEntropy!)).toEqual([-0.1 / (3 + 1e-8), -0.1 / (3 + 1e-8), 0, -0.1 / (3 + 1e-8), 0, 0]);
    for (const i of [2, 4, 5]) expect(out.gradLogp[i]).toBe(0);
  });

  it("gradEntropy is absent when entropyCoeff is 0, and kl_loss when useKlLoss is false", () => {
    const out = evaluatePolicyLoss(grpoLoss.create({}), small());
    expect(out.gradEntropy).toBeUndefined();
    expect(out.metrics.kl_loss).toBeUndefined();
    expect(Object.keys(out.metrics).sort()).toEqual([
      "entropy",
      "pg_clipfrac",
      "pg_clipfrac_lower",
      "pg_loss",
      "ppo_kl",
    ]);
  });

  it("no valid token at all: loss 0, zero gradients, no selection", () => {
    let selected = false;
    const loss: PolicyLoss = {
      name: "x",
      select: () => {
        selected = true;
        return { tokens: {} };
      },
      tokenLoss: grpoLoss.create({}).tokenLoss,
    };
    const b = { ...small(), mask: new Uint8Array(6) };
    const out = evaluatePolicyLoss(loss, b, { entropyCoeff: 0.1, useKlLoss: true });
    expect(out.loss).toBe(0);
    expect(Array.from(out.gradLogp)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(Array.from(out.gradEntropy!)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(selected).toBe(false);
  });

  it("coded input errors", () => {
    const l = grpoLoss.create({});
    const b = small();
    expect(() => evaluatePolicyLoss(l, { ...b, refLogp: undefined }, { useKlLoss: true })).toThrow(
      code("LOSS_MISSING_REF_LOGP"),
    );
    expect(() => evaluatePolicyLoss(l, { ...b, entropy: undefined }, { entropyCoeff: 0.01 })).toThrow(
      code("LOSS_MISSING_ENTROPY"),
    );
    expect(() => evaluatePolicyLoss({ ...l, needs: { entropy: true } }, { ...b, entropy: undefined })).toThrow(
      code("LOSS_MISSING_ENTROPY"),
    );
    expect(() => evaluatePolicyLoss(l, { ...b, logp: Float64Array.of(-1, -2, Number.NaN, 0, 0, 0) })).toThrow(
      code("LOSS_NON_FINITE"),
    );
    expect(() =>
      evaluatePolicyLoss(l, { ...b, advantages: Float64Array.of(1, 1, 1, 1, 1, Number.POSITIVE_INFINITY) }),
    ).toThrow(code("LOSS_NON_FINITE"));
    expect(() => evaluatePolicyLoss(l, { ...b, mask: Uint8Array.of(1, 2, 0, 0, 0, 0) })).toThrow(code("LOSS_BAD_MASK"));
    expect(() => evaluatePolicyLoss(l, { ...b, oldLogp: Float64Array.of(1, 2) })).toThrow(code("LOSS_SHAPE_MISMATCH"));
    expect(() => evaluatePolicyLoss(l, b, { klLossType: "full" as never })).toThrow(code("LOSS_BAD_OPTION"));
  });

  it("a non-finite result is an error", () => {
    const bad: PolicyLoss = {
      name: "bad",
      tokenLoss: () => ({ loss: new Float64Array(6).fill(Number.POSITIVE_INFINITY), dLogp: new Float64Array(6) }),
    };
    expect(() => evaluatePolicyLoss(bad, small())).toThrow(code("LOSS_NON_FINITE"));
  });

  it("aggMask restricts the policy term only (80/20 style)", () => {
    const b = small();
    const inner = grpoLoss.create({});
    const masked: PolicyLoss = {
      name: "masked",
      tokenLoss: (x, s, c) => ({ ...inner.tokenLoss(x, s, c), aggMask: Uint8Array.of(0, 1, 1, 0, 0, 0) }),
    };
    const out = evaluatePolicyLoss(masked, b, { useKlLoss: true, klLossType: "k1", klLossCoef: 1 });
    const terms = grpoTokenTerms(b, {});
    expect(out.metrics.pg_loss).toBeCloseTo(terms.loss[1] / (1 + 1e-8), 14); // position 2 is padding: not counted
    expect(out.gradLogp[0]).toBeCloseTo(1 / (3 + 1e-8), 14); // only the KL term reaches token 0
    expect(out.gradLogp[2]).toBe(0);
  });
});

describe("resolveLossOptions", () => {
  it("splits common and own options; own keys keep only what was given", () => {
    const r = resolveLossOptions(grpoLoss, {
      useKlLoss: true,
      klLossType: "k3+",
      clipRatioHigh: 0.28,
      lossAggNorm: null,
    });
    expect(r.common).toEqual({ ...COMMON_LOSS_DEFAULTS, useKlLoss: true, klLossType: "k3+" });
    expect(r.options).toEqual({ clipRatioHigh: 0.28 });
  });
  it("an unknown key lists every valid key", () => {
    try {
      resolveLossOptions(grpoLoss, { clip_ratio: 0.2 });
      expect.unreachable();
    } catch (e) {
      expect(e).toMatchObject({ code: "LOSS_UNKNOWN_OPTION" });
      for (const k of [
        "lossAggMode",
        "lossAggNorm",
        "useKlLoss",
        "klLossCoef",
        "klLossType",
        "entropyCoeff",
        "clipRatio",
        "clipRatioLow",
        "clipRatioHigh",
        "clipRatioC",
      ]) {
        expect((e as Error).message).toContain(k);
      }
    }
  });
  it("type and range errors", () => {
    expect(() => resolveLossOptions(grpoLoss, { useKlLoss: "yes" })).toThrow(code("LOSS_BAD_OPTION"));
    expect(() => resolveLossOptions(grpoLoss, { lossAggMode: "sum" })).toThrow(code("LOSS_BAD_OPTION"));
    expect(() => resolveLossOptions(grpoLoss, { lossAggNorm: -1 })).toThrow(code("LOSS_BAD_OPTION"));
    expect(() => resolveLossOptions(grpoLoss, { klLossType: "full" })).toThrow(code("LOSS_BAD_OPTION"));
    expect(() => resolveLossOptions(grpoLoss, { clipRatio: "0.2" })).toThrow(code("LOSS_BAD_OPTION"));
    expect(() => grpoLoss.create({ clipRatioC: 1 })).toThrow(code("LOSS_BAD_OPTION"));
    expect(() => grpoLoss.create({ clipRatioLow: -0.1 })).toThrow(code("LOSS_BAD_OPTION"));
  });
});

describe("createPolicyLossRegistry", () => {
  const other: PolicyLossDefinition = {
    name: "other",
    description: "",
    defaults: {},
    create: () => grpoLoss.create({}),
  };
  it("gets by name; an unknown name lists the registered ones", () => {
    const r = createPolicyLossRegistry([grpoLoss, other]);
    expect(r.get("grpo")).toBe(grpoLoss);
    expect(r.names()).toEqual(["grpo", "other"]);
    expect(r.has("sent")).toBe(false);
    expect(() => r.get("sent")).toThrow(
      expect.objectContaining({
        code: "STRATEGY_UNKNOWN",
        message: expect.stringContaining("grpo (core), other (core)"),
      }),
    );
  });
  it("duplicate names are an error", () => {
    expect(() => createPolicyLossRegistry([grpoLoss, { ...other, name: "grpo" }])).toThrow(code("STRATEGY_DUPLICATE"));
  });
});

describe("micro-batch combination", () => {
  it("weights", () => {
    expect(Array.from(microBatchWeights("microBatchMean", [3, 0, 1]))).toEqual([1 / 3, 1 / 3, 1 / 3]);
    expect(Array.from(microBatchWeights("globalTokenMean", [3, 0, 1]))).toEqual([0.75, 0, 0.25]);
    expect(() => microBatchWeights("globalTokenMean", [1.5])).toThrow(code("LOSS_BAD_OPTION"));
  });
  it("concatenates scaled gradients and averages metrics", () => {
    const a = { loss: 1, gradLogp: Float64Array.of(1, 1), metrics: { pg_loss: 1 } };
    const b = {
      loss: 4,
      gradLogp: Float64Array.of(2, 0),
      gradEntropy: Float64Array.of(1, 1),
      metrics: { pg_loss: 4, kl_loss: 2 },
    };
    const c = combineMicroBatches([a, b], "globalTokenMean", [1, 3]);
    expect(c.loss).toBe(0.25 + 3);
    expect(Array.from(c.gradLogp)).toEqual([0.25, 0.25, 1.5, 0]);
    expect(Array.from(c.gradEntropy!)).toEqual([0, 0, 0.75, 0.75]);
    expect(c.metrics).toEqual({ pg_loss: 3.25, kl_loss: 2 });
    expect(() => combineMicroBatches([a, b], "microBatchMean", [1])).toThrow(code("LOSS_SHAPE_MISMATCH"));
  });
});
