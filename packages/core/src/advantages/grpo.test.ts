import { describe, expect, it } from "vitest";
import {
  advantageEstimatorDefinitions,
  broadcastAdvantages,
  drGrpoAdvantageEstimator,
  grpoAdvantageEstimator,
  grpoAdvantages,
} from "../index.js";
import { loadFixtures } from "../../test/losses-helpers.js";

const fixtures = loadFixtures();

describe("grpoAdvantages matches the PyTorch reference (unbiased std, single-member groups μ=0 σ=1)", () => {
  for (const c of fixtures.advantages) {
    it(`${c.name}, normAdvByStd=${c.normAdvByStd}`, () => {
      const a = grpoAdvantages(c.rewards, c.groups, { normAdvByStd: c.normAdvByStd, epsilon: c.epsilon });
      c.advantages.forEach((e, i) => {
        expect(Math.abs(a[i] - e)).toBeLessThanOrEqual(1e-6 * Math.abs(e) + 1e-12);
      });
    });
  }
});

describe("grpoAdvantages", () => {
  it("treats 1 and '1' as different groups", () => {
    const a = grpoAdvantages([1, 0], [1, "1"], { normAdvByStd: false });
    expect(Array.from(a)).toEqual([1, 0]);
  });
  it("rejects mismatched lengths, non-finite rewards and bad options", () => {
    expect(() => grpoAdvantages([1, 2], [0])).toThrow(expect.objectContaining({ code: "ADV_BAD_INPUT" }));
    expect(() => grpoAdvantages([Number.NaN], [0])).toThrow(expect.objectContaining({ code: "ADV_BAD_INPUT" }));
    expect(() => grpoAdvantages([1], [0], { epsilon: -1 })).toThrow(
      expect.objectContaining({ code: "ADV_BAD_OPTION" }),
    );
  });
  it("broadcastAdvantages puts exact zeros on padding", () => {
    const a = broadcastAdvantages([-2, 0.5], Uint8Array.of(1, 0, 1, 1), 2, 2);
    expect(Array.from(a)).toEqual([-2, 0, 0.5, 0.5]);
    expect(Object.is(a[1], 0)).toBe(true);
    expect(() => broadcastAdvantages([1], Uint8Array.of(1), 2, 1)).toThrow(
      expect.objectContaining({ code: "ADV_BAD_INPUT" }),
    );
  });
});

describe("advantage estimator definitions", () => {
  it("grpo and dr-grpo differ only in normAdvByStd", () => {
    expect(advantageEstimatorDefinitions.map((d) => d.name)).toEqual(["grpo", "dr-grpo"]);
    expect(grpoAdvantageEstimator.defaults).toEqual({ normAdvByStd: true, epsilon: 1e-6 });
    expect(drGrpoAdvantageEstimator.defaults).toEqual({ normAdvByStd: false, epsilon: 1e-6 });
    expect(Array.from(drGrpoAdvantageEstimator.create({}).compute([1, 0, 2], [0, 0, 0]))).toEqual([0, -1, 1]);
    const g = grpoAdvantageEstimator.create({ epsilon: 0 }).compute([1, 0, 2], [0, 0, 0]);
    expect(Array.from(g)).toEqual([0, -1, 1]);
  });
  it("unknown and bad options are coded errors", () => {
    expect(() => grpoAdvantageEstimator.create({ eps: 1 } as never)).toThrow(
      expect.objectContaining({
        code: "ADV_UNKNOWN_OPTION",
        message: expect.stringContaining("normAdvByStd, epsilon"),
      }),
    );
    expect(() => grpoAdvantageEstimator.create({ normAdvByStd: "no" } as never)).toThrow(
      expect.objectContaining({ code: "ADV_BAD_OPTION" }),
    );
  });
});
