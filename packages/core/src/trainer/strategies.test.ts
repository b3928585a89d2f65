import { describe, expect, it } from "vitest";
import { DEFAULT_TRAINER_CONFIG } from "./config.js";
import { grpoLoss } from "../losses/grpo.js";
import { resolveLossOptions } from "../losses/options.js";
import { PluginDriver } from "../plugins/driver.js";
import { atConfigField, resolveStrategies, TRAINER_STRATEGY_PATHS, trainerDriver } from "./strategies.js";

describe("resolveStrategies", () => {
  const driver = trainerDriver(
    [
      {
        name: "r",
        verifiers: [
          {
            name: "dapo",
            create: () => ({ name: "dapo", score: () => ({ reward: 0, correct: false, extracted: null }) }),
          },
        ],
      },
    ],
    DEFAULT_TRAINER_CONFIG,
  );
  const err = (config: object, paths = TRAINER_STRATEGY_PATHS) => {
    try {
      resolveStrategies(driver, { ...DEFAULT_TRAINER_CONFIG, ...config }, paths);
    } catch (e) {
      return `${(e as { code: string }).code}: ${(e as Error).message}`;
    }
    return "ok";
  };

  it("builds core's default strategies; sum-norm aggregation gets maxResponseTokens", () => {
    expect(err({})).toBe("ok");
    const s = resolveStrategies(driver, {
      ...DEFAULT_TRAINER_CONFIG,
      lossOptions: { lossAggMode: "seq-mean-token-sum-norm" },
    });
    expect(s.commonOptions.lossAggNorm).toBe(2048);
    expect(s.loss.name).toBe("grpo");
  });

  it("names the field of every error (a loss option's key, the field as the caller spells it)", () => {
    expect(err({ lossOptions: { clip: 1 } })).toMatch(
      /^CONFIG_BAD_FIELD: config\.lossOptions\.clip: unknown option `clip`.*\(LOSS_UNKNOWN_OPTION\)$/,
    );
    expect(err({ lossOptions: { clipRatioLow: "x" } })).toMatch(
      /^CONFIG_BAD_FIELD: config\.lossOptions\.clipRatioLow: `clipRatioLow` must be a number/,
    );
    const paths = { ...TRAINER_STRATEGY_PATHS, lossOptions: "config.loss.options", advantage: "config.advantage.name" };
    expect(err({ lossOptions: { clip: 1 } }, paths)).toMatch(/^CONFIG_BAD_FIELD: config\.loss\.options\.clip: /);
    expect(err({ advantage: "rloo" }, paths)).toMatch(
      /^CONFIG_BAD_FIELD: config\.advantage\.name: unknown advantage "rloo"; registered: dr-grpo \(core\), grpo \(core\)/,
    );
    expect(err({ reward: "symbolic" })).toMatch(
      /registered: dapo \(plugin "r"\); "symbolic" comes with mathRewards\(\) from @sentrl\/evaluators/,
    );
  });

  it("the doc examples: atConfigField and resolveStrategies throw what their comments say", () => {
    expect(() => atConfigField("--config.loss.options", () => resolveLossOptions(grpoLoss, { clip: 1 }))).toThrow(
      /^--config\.loss\.options\.clip: unknown option `clip` for loss `grpo`; .* \(LOSS_UNKNOWN_OPTION\)$/,
    );
    const plain = new PluginDriver([], { builtins: { policyLosses: [grpoLoss] } });
    expect(() => resolveStrategies(plain, { ...DEFAULT_TRAINER_CONFIG, lossOptions: { clip: 1 } })).toThrow(
      expect.objectContaining({
        code: "CONFIG_BAD_FIELD",
        message: expect.stringMatching(/^config\.lossOptions\.clip: /),
      }),
    );
  });
});
