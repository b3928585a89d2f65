// The trainer consumes @sentrl/curriculum's stage-start event (docs/algorithms.md §3.1): a fresh optimiser at every stage
// start, and π_ref = the stage's starting policy (`stageInit`) or θ0 (`theta0`).
import { createTrainer } from "@sentrl/core";
import { toyPolicy } from "@sentrl/testing";
import { stagedCurriculum } from "@sentrl/curriculum";
import { describe, expect, it } from "vitest";
import { builtinVerifiers } from "../src/presets/build.js";
import { toyRows } from "../src/presets/toy-task.js";

const golds = ["a", "b", "ab", "ba", "aa", "bb"];

async function run(refPolicyPerStage: "stageInit" | "theta0") {
  const rows = toyRows(golds);
  const policy = toyPolicy(golds);
  const resets: number[] = [];
  const reset = policy.resetOptimizer.bind(policy);
  let step = 0;
  policy.resetOptimizer = () => {
    resets.push(step);
    reset();
  };
  const snapshots: number[] = [];
  const snapshot = policy.snapshot.bind(policy);
  policy.snapshot = () => {
    snapshots.push(step);
    return snapshot();
  };
  // Stage 2 repeats stage 1's prompts (plus two new ones): the tabular policy's states are independent, so only
  // prompts trained in stage 1 can tell the stage-start reference from θ0.
  const curriculum = stagedCurriculum({
    stages: [rows.slice(0, 2), rows.slice(0, 4)],
    epochsPerStage: 10,
    batchSize: 2,
    refPolicyPerStage,
  });
  const trainer = createTrainer({
    policy,
    dataset: rows,
    plugins: [curriculum, { name: "rewards", verifiers: builtinVerifiers() }],
    config: {
      reward: "exact",
      promptsPerStep: 2,
      groupSize: 8,
      miniBatchPrompts: 2, // one update per step: at a stage start KL to the fresh reference is exactly 0
      maxResponseTokens: 3,
      totalSteps: 100,
      optimizer: { lr: 0.1, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, maxGradNorm: 1 },
      lossOptions: { useKlLoss: true, klLossCoef: 0.01 },
      zeroVarianceWarnSteps: 0,
    },
    onWarning: () => {},
  });
  const results = [];
  for (;;) {
    step = trainer.step + 1;
    const r = await trainer.trainStep();
    if (r.done) break;
    results.push(r);
  }
  return {
    resets,
    snapshots,
    kl: results.map((r) => r.metrics["actor/kl_loss"]),
    stage: results.map((r) => r.metrics["curriculum/stage"]),
  };
}

describe("staged curriculum in the trainer", () => {
  it("stageInit: fresh optimiser at each stage start and the stage's starting policy as reference", async () => {
    const { resets, snapshots, kl, stage } = await run("stageInit");
    // stage 1: 2 rows, 10 epochs → steps 1-10; stage 2: 4 rows, 10 epochs → steps 11-30; then the curriculum ends.
    expect(stage).toEqual([...Array(10).fill(1), ...Array(20).fill(2)]);
    expect(resets).toEqual([1, 11]);
    expect(snapshots.at(-1)).toBe(11);
    expect(kl[0]).toBe(0);
    expect(kl[9]).toBeGreaterThan(0);
    expect(kl[10]).toBe(0); // the reference moved to the policy at stage 2's start
    expect(kl[12]).toBeGreaterThan(0);
  });

  it("theta0: fresh optimiser, but the reference stays the initial policy", async () => {
    const { resets, snapshots, kl } = await run("theta0");
    expect(resets).toEqual([1, 11]);
    expect(snapshots.every((s) => s === 1)).toBe(true);
    expect(kl[10]).toBeGreaterThan(0); // still measured against θ0
  });
});
