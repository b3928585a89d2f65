import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTrainer, type TrainerConfig } from "@sentrl/core";
import { describe, expect, it } from "vitest";
import { TINY_CHAT_TEMPLATE, tinyModel, tinyTokenizerJson } from "../generate/tiny.js";
import { createModelTokenizer } from "../tokenizer/load.js";
import { ModelPolicy } from "./model-policy.js";

const tokenizer = createModelTokenizer({
  tokenizerJson: tinyTokenizerJson(),
  tokenizerConfig: { eos_token: "<|im_end|>", chat_template: TINY_CHAT_TEMPLATE },
});

const CONFIG: Partial<TrainerConfig> = {
  reward: "even-length",
  promptsPerStep: 2,
  miniBatchPrompts: 2,
  groupSize: 4,
  maxResponseTokens: 5,
  totalSteps: 2,
  temperature: 1,
  optimizer: { lr: 1e-2, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0.01, maxGradNorm: 1 },
  lossOptions: { useKlLoss: true, klLossCoef: 0.01 },
};

function trainer(policy: ModelPolicy, outputDir?: string) {
  return createTrainer({
    policy,
    dataset: [
      { id: "0", prompt: [{ role: "user", content: "say a" }], gold: "a" },
      { id: "1", prompt: "ab ab", gold: "a" },
    ],
    plugins: [
      {
        name: "even-length",
        verifiers: [
          {
            name: "even-length",
            // Reward: the response's UTF-16 length is even (random weights make it vary within a group).
            create: () => ({
              name: "even-length",
              score: (r: string) => ({ reward: r.length % 2 === 0 ? 1 : 0, correct: r.length % 2 === 0, extracted: r }),
            }),
          },
        ],
      },
    ],
    config: CONFIG,
    outputDir,
    onWarning: () => {},
  });
}

const PARAM = "model.layers.0.mlp.down_proj.weight";

describe("ModelPolicy in core's GRPO trainer", () => {
  it("runs GRPO steps end to end (rollout → rewards → old/ref log-probs → KL → clipped AdamW)", async () => {
    const model = tinyModel(4);
    const before = model.getParameter(PARAM);
    const t = trainer(new ModelPolicy(model, { tokenizer }));
    const results = await t.run();
    expect(results).toHaveLength(2);
    expect(t.step).toBe(2);
    const gradNorms = results.map((r) => r.metrics["actor/grad_norm"]);
    expect(gradNorms.every(Number.isFinite)).toBe(true);
    expect(Math.max(...gradNorms)).toBeGreaterThan(0); // some group had reward variance: a real policy-gradient step
    const after = model.getParameter(PARAM);
    expect(after).not.toEqual(before);
    expect(after.every(Number.isFinite)).toBe(true);
  });

  it("checkpoints and resumes exactly (parameters, AdamW moments, reference)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sentrl-model-policy-ckpt-"));
    try {
      const straight = tinyModel(4);
      await trainer(new ModelPolicy(straight, { tokenizer })).run();
      const first = trainer(new ModelPolicy(tinyModel(4), { tokenizer }), dir);
      await first.trainStep();
      await first.checkpoint();
      const resumedModel = tinyModel(99);
      const resumed = trainer(new ModelPolicy(resumedModel, { tokenizer }), dir);
      expect(await resumed.resume()).toBe(1);
      await resumed.trainStep();
      expect(resumedModel.getParameter(PARAM)).toEqual(straight.getParameter(PARAM));
      expect(resumedModel.optimizerStep).toBe(straight.optimizerStep);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
