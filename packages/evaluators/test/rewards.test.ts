import { join } from "node:path";
import { createTrainer, PluginDriver } from "@sentrl/core";
import { createTabularPolicy } from "@sentrl/testing";
import { describe, expect, it } from "vitest";
import { annotatedOutputs, docCommentTsBlocks, runTsBlock } from "../../core/test/readme-examples.js";
import { checkerVerifier, mathRewards } from "../src/index.js";

describe("reward plugins", () => {
  it.each(["checker-verifier.ts", "plugin.ts"])("the %s doc example prints what its comments say", async (file) => {
    const [code] = docCommentTsBlocks(join(__dirname, "..", "src", "rewards", file));
    const { logs } = await runTsBlock(code);
    expect(logs.map((args) => args[0])).toEqual(annotatedOutputs(code));
  });

  it("dapo is +1/−1 as verl's math_dapo; opencompass-v2 and symbolic are 1/0 and read \\boxed{}", () => {
    const gold = { gold: "\\frac{1}{2}" };
    expect(checkerVerifier("dapo").create().score("x\nAnswer: \\frac{1}{2}", gold)).toEqual({
      reward: 1,
      correct: true,
      extracted: "\\frac{1}{2}",
    });
    expect(checkerVerifier("dapo").create().score("\\boxed{1/2}", gold).reward).toBe(-1);
    expect(checkerVerifier("opencompass-v2").create().score("so \\boxed{\\dfrac{1}{2}}", gold).reward).toBe(1);
    expect(checkerVerifier("opencompass-v2").create().score("so \\boxed{2}", gold).reward).toBe(0);
    expect(checkerVerifier("symbolic").create().score("so \\boxed{0.5}", gold).reward).toBe(1);
  });

  it("createTrainer with the default reward (dapo) runs from the packages alone", async () => {
    // A policy that answers "Answer: 1" or "Answer: 2": the dapo reward needs the `Answer:` line.
    const policy = createTabularPolicy({
      states: 2,
      vocab: ["Answer: 1", "Answer: 2", "<eos>"],
      eosToken: 2,
      maxTokens: 2,
    });
    const dataset = [
      { id: "0", prompt: "0", gold: "1" },
      { id: "1", prompt: "1", gold: "2" },
    ];
    const config = { promptsPerStep: 2, miniBatchPrompts: 2, groupSize: 4, maxResponseTokens: 2, totalSteps: 2 };
    const trainer = createTrainer({ policy, dataset, plugins: [mathRewards()], config });
    expect(trainer.config.reward).toBe("dapo");
    const results = await trainer.run();
    expect(results).toHaveLength(2);
    expect(results[0].metrics["critic/score/mean"]).toBeGreaterThanOrEqual(-1);
    expect(new PluginDriver([mathRewards()]).verifiers.ownerOf("symbolic")).toBe('plugin "@sentrl/evaluators"');
  });
});
