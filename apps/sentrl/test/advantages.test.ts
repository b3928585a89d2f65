import { describe, expect, it } from "vitest";
import { loadFixtures } from "../../../packages/core/test/losses-helpers.js";
import { type CliErrorCase, itFailsWithCodes, runCli } from "./fake-io.js";

const fixtures = loadFixtures();

describe("sentrl advantages (docs/contracts.md §3)", () => {
  it("grpo: docs/algorithms.md §6.2 vector", async () => {
    const r = await runCli(
      ["advantages", "--estimator", "grpo"],
      '{"rewards":[1,1,-1,-1,-1,-1,-1,-1],"groups":[3,3,3,3,3,3,3,3]}',
    );
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    const { advantages } = JSON.parse(r.stdout);
    expect(advantages).toHaveLength(8);
    advantages.forEach((a: number, i: number) => {
      expect(a).toBeCloseTo(i < 2 ? 1.620183 : -0.540061, 6);
    });
  });

  for (const c of fixtures.advantages) {
    const estimator = c.normAdvByStd ? "grpo" : "dr-grpo";
    it(`${estimator} matches the PyTorch reference: ${c.name}`, async () => {
      const r = await runCli(
        ["advantages", "--estimator", estimator],
        JSON.stringify({ rewards: c.rewards, groups: c.groups }),
      );
      const { advantages } = JSON.parse(r.stdout);
      c.advantages.forEach((e, i) => {
        expect(Math.abs(advantages[i] - e)).toBeLessThanOrEqual(1e-6 * Math.abs(e) + 1e-12);
      });
    });
  }

  it("--config overrides normAdvByStd and epsilon", async () => {
    const r = await runCli(
      ["advantages", "--estimator", "grpo", "--config", '{"normAdvByStd":false}'],
      '{"rewards":[1,0],"groups":["a","a"]}',
    );
    expect(JSON.parse(r.stdout)).toEqual({ advantages: [0.5, -0.5] });
    const s = await runCli(
      ["advantages", "--estimator", "grpo", "--config", '{"epsilon":0}'],
      '{"rewards":[2],"groups":["a"]}',
    );
    expect(JSON.parse(s.stdout)).toEqual({ advantages: [2] });
  });

  it("--help lists the estimators and their defaults", async () => {
    const r = await runCli(["advantages", "--help"]);
    expect(r.stdout).toContain("grpo: normAdvByStd (true), epsilon (0.000001)");
    expect(r.stdout).toContain("dr-grpo: normAdvByStd (false), epsilon (0.000001)");
  });

  const good = '{"rewards":[1,0],"groups":[1,1]}';
  const grpo = ["advantages", "--estimator", "grpo"];
  const errors: CliErrorCase[] = [
    ["missing --estimator", ["advantages"], good, "USAGE"],
    ["unknown estimator", ["advantages", "--estimator", "ppo"], good, "ADV_UNKNOWN_ESTIMATOR"],
    ["unknown option", [...grpo, "--config", '{"eps":1}'], good, "ADV_UNKNOWN_OPTION"],
    ["bad option type", [...grpo, "--config", '{"normAdvByStd":"no"}'], good, "ADV_BAD_OPTION"],
    [
      "negative epsilon",
      ["advantages", "--estimator", "dr-grpo", "--config", '{"epsilon":-1}'],
      good,
      "ADV_BAD_OPTION",
    ],
    ["empty stdin", grpo, "", "ADV_BAD_INPUT"],
    ["not JSON", grpo, "{", "ADV_BAD_INPUT"],
    ["unequal lengths", grpo, '{"rewards":[1,0],"groups":[1]}', "ADV_BAD_INPUT"],
    ["reward not a number", grpo, '{"rewards":[1,"0"],"groups":[1,1]}', "ADV_BAD_INPUT"],
    ["infinite reward", grpo, '{"rewards":[1,1e999],"groups":[1,1]}', "ADV_BAD_INPUT"],
    ["NaN reward", grpo, '{"rewards":[1,NaN],"groups":[1,1]}', "ADV_BAD_INPUT"],
    ["fractional group id", grpo, '{"rewards":[1,0],"groups":[1,1.5]}', "ADV_BAD_INPUT"],
    ["missing groups", grpo, '{"rewards":[1,0]}', "ADV_BAD_INPUT"],
    ["unknown key", grpo, '{"rewards":[1],"groups":[1],"uid":[1]}', "ADV_BAD_INPUT"],
  ];
  itFailsWithCodes(errors);
});
