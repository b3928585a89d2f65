// The stage start reaches the trainer only through core's typed plugin contract (`beforeRollout` returning
// `{ prompts, stageStart }`): the stagedCurriculum doc example, run as written, and a trainer run that counts the
// optimiser resets and watches the KL reference restart.
import { join } from "node:path";
import { createTrainer } from "@sentrl/core";
import { exactMatchReward, toyDataset, toyPolicy } from "@sentrl/testing";
import { describe, expect, it } from "vitest";
import { annotatedOutputs, docCommentTsBlocks, runTsBlock } from "../../core/test/readme-examples.js";
import { sentStageStart, stagedCurriculum } from "../src/index.js";

describe("stagedCurriculum stage starts in a trainer", () => {
  it("the doc example runs as written: 4 steps over 2 stages", async () => {
    const code = docCommentTsBlocks(join(__dirname, "..", "src", "plugins", "staged.ts")).find((c) =>
      c.includes("createTrainer("),
    )!;
    const { exports } = await runTsBlock(`${code}\nexport { trainer, curriculum };\n`);
    const { trainer, curriculum } = exports as {
      trainer: ReturnType<typeof createTrainer>;
      curriculum: ReturnType<typeof stagedCurriculum>;
    };
    expect(trainer.step).toBe(4);
    expect(curriculum.api.done).toBe(true);
  });

  it("resets the optimiser at every stage and restarts the KL reference with stageInit, not theta0", async () => {
    const run = async (refPolicyPerStage: "stageInit" | "theta0") => {
      const policy = toyPolicy();
      const reset = policy.resetOptimizer.bind(policy);
      let resets = 0;
      policy.resetOptimizer = () => {
        resets++;
        reset();
      };
      const rows = toyDataset();
      // Stage 2 starts with stage 1's prompts (no shuffle): the tabular policy has moved on them, so under θ0 the
      // KL term is non-zero at the stage start.
      const curriculum = stagedCurriculum({
        stages: [rows.slice(0, 3), rows],
        epochsPerStage: 3,
        batchSize: 3,
        shuffle: false,
        refPolicyPerStage,
      });
      const results = await createTrainer({
        policy,
        dataset: rows,
        plugins: [curriculum, exactMatchReward()],
        config: {
          reward: "exact",
          promptsPerStep: 3,
          miniBatchPrompts: 3,
          groupSize: 8,
          maxResponseTokens: 3,
          totalSteps: 6,
          lossOptions: { useKlLoss: true, klLossCoef: 0.01 },
          optimizer: { lr: 0.1, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, maxGradNorm: 1 },
        },
      }).run();
      return { resets, kl: results.map((r) => r.metrics["actor/kl_loss"]) };
    };
    const stageInit = await run("stageInit");
    expect(stageInit.resets).toBe(2); // steps 1 and 4
    expect(stageInit.kl[0]).toBe(0);
    expect(stageInit.kl[2]).toBeGreaterThan(0);
    expect(stageInit.kl[3]).toBe(0); // step 4: stage 2, π_ref = the policy now
    const theta0 = await run("theta0");
    expect(theta0.resets).toBe(2);
    expect(theta0.kl[3]).toBeGreaterThan(0); // π_ref stays θ0
  });
});

describe("sentStageStart", () => {
  it("the doc example prints what its comment says; a bad refPolicyPerStage is CURRICULUM_BAD_REF_POLICY", async () => {
    const code = docCommentTsBlocks(join(__dirname, "..", "src", "plugins", "staged.ts")).find((c) =>
      c.includes("sentStageStart("),
    )!;
    const { logs } = await runTsBlock(code);
    expect(JSON.parse(JSON.stringify(logs.map((a) => a[0])))).toEqual(annotatedOutputs(code));
    expect(sentStageStart()(1)).toEqual({ stage: 1, resetOptimizer: true, reference: "current" });
    expect(() => sentStageStart("later" as never)).toThrow(
      expect.objectContaining({ code: "CURRICULUM_BAD_REF_POLICY" }),
    );
  });
});
