import { createTrainer } from "@sentrl/core";
import { describe, expect, it } from "vitest";
import { TINY_CHAT_TEMPLATE, tinyModel, tinyTokenizerJson } from "../generate/tiny.js";
import { createModelTokenizer } from "../tokenizer/load.js";
import { ModelPolicy } from "./model-policy.js";

describe("ModelPolicy in core's GRPO trainer", () => {
  it("runs GRPO steps end to end (rollout → rewards → old/ref log-probs → clipped AdamW)", async () => {
    const tokenizer = createModelTokenizer({
      tokenizerJson: tinyTokenizerJson(),
      tokenizerConfig: { eos_token: "<|im_end|>", chat_template: TINY_CHAT_TEMPLATE },
    });
    const model = tinyModel(4);
    const policy = new ModelPolicy(model, { tokenizer });
    const before = model.getParameter("model.layers.0.mlp.down_proj.weight");
    // Reward: the response's UTF-16 length is even (random weights make it vary within a group).
    const trainer = createTrainer({
      policy,
      dataset: [
        { id: "0", prompt: [{ role: "user", content: "say a" }], gold: "a" },
        { id: "1", prompt: "ab ab", gold: "a" },
      ],
      plugins: [
        {
          name: "has-a",
          verifiers: [
            {
              name: "has-a",
              create: () => ({
                name: "has-a",
                score: (r: string) => ({
                  reward: r.length % 2 === 0 ? 1 : 0,
                  correct: r.length % 2 === 0,
                  extracted: r,
                }),
              }),
            },
          ],
        },
      ],
      config: {
        reward: "has-a",
        promptsPerStep: 2,
        miniBatchPrompts: 2,
        groupSize: 4,
        maxResponseTokens: 5,
        totalSteps: 2,
        temperature: 1,
        optimizer: { lr: 1e-2, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0.01, maxGradNorm: 1 },
      },
      onWarning: () => {},
    });
    const results = await trainer.run();
    expect(results).toHaveLength(2);
    expect(trainer.step).toBe(2);
    const gradNorms = results.map((r) => r.metrics["actor/grad_norm"]);
    expect(gradNorms.every(Number.isFinite)).toBe(true);
    expect(Math.max(...gradNorms)).toBeGreaterThan(0); // some group had reward variance: a real policy-gradient step
    const after = model.getParameter("model.layers.0.mlp.down_proj.weight");
    expect(after).not.toEqual(before);
    expect(after.every(Number.isFinite)).toBe(true);
  });
});
