import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { TrainingSample } from "../contracts/dataset.js";
import { grpoLoss } from "../losses/grpo.js";
import { resolveLossOptions } from "../losses/options.js";
import { PluginDriver } from "../plugins/driver.js";
import { resolveTrainerConfig } from "./config.js";
import { computeOldAndRefLogp, StepMetrics, updatePolicy } from "./steps.js";
import { createTabularPolicy } from "@sentrl/testing";

/** Golden values from tools/torch-ref/trainer_update.py (PyTorch autograd, verl's update loop, torch AdamW). */
const fx = JSON.parse(readFileSync(new URL("./fixtures/trainer-update.json", import.meta.url), "utf8"));

describe("updatePolicy against the PyTorch reference", () => {
  it("matches verl's accumulation, clipping and AdamW update to 1e-10", async () => {
    const make = (init: number[]) =>
      createTabularPolicy({
        states: fx.states,
        vocab: Array.from({ length: fx.vocab }, (_, i) => `t${i}`),
        eosToken: fx.vocab - 1,
        maxTokens: fx.maxTokens,
        init: Float64Array.from(init),
      });
    const policy = make(fx.theta0);
    const reference = make(fx.thetaRef).snapshot();
    const config = resolveTrainerConfig({
      reward: "x",
      promptsPerStep: 3,
      groupSize: fx.groupSize,
      miniBatchPrompts: fx.miniBatchPrompts,
      microBatchSize: fx.microBatchSize,
      ppoEpochs: fx.ppoEpochs,
      temperature: fx.temperature,
      maxResponseTokens: fx.maxTokens,
      optimizer: fx.optimizer,
    });
    const samples: TrainingSample[] = fx.samples.map(
      (s: { groupIndex: number; state: number; tokens: number[]; advantage: number }) => ({
        groupIndex: s.groupIndex,
        promptTokens: [s.state],
        responseTokens: s.tokens,
        reward: 0,
        advantage: s.advantage,
      }),
    );
    const ctx = { step: 1, config, driver: new PluginDriver([]), metrics: new StepMetrics() };
    await computeOldAndRefLogp(policy, reference, samples, ctx);
    const { common, options } = resolveLossOptions(grpoLoss, fx.lossOptions);
    const result = await updatePolicy(policy, grpoLoss.create(options), common, samples, ctx);

    expect(result.gradNorms).toHaveLength(fx.expected.gradNorms.length);
    for (let i = 0; i < result.gradNorms.length; i++)
      expect(result.gradNorms[i]).toBeCloseTo(fx.expected.gradNorms[i], 10);
    expect(fx.expected.gradNorms.some((g: number) => g > fx.optimizer.maxGradNorm)).toBe(true); // clipping engaged
    let worst = 0;
    for (let i = 0; i < policy.theta.length; i++)
      worst = Math.max(worst, Math.abs(policy.theta[i] - fx.expected.theta[i]));
    expect(worst).toBeLessThan(1e-10);
    expect(result.lossMetrics.pg_loss).toBeCloseTo(fx.expected.pgLoss, 10);
  });
});
