import { createTrainer } from "@sentrl/core";
import { exactMatchReward, toyDataset, toyPolicy } from "@sentrl/testing";
import { stagedCurriculum } from "@sentrl/curriculum";
import { tokenEntropyKlPlugin } from "@sentrl/token-entropy-kl";

export interface CurriculumStep {
  step: number;
  stage: number;
  score: number;
  entropy: number;
}

/**
 * A SENT-style trainer composed from core's `createTrainer` and two plugins: `@sentrl/token-entropy-kl` contributes
 * the `sent` policy loss, `@sentrl/curriculum`'s `stagedCurriculum` chooses each step's prompts stage by stage. The
 * trainer consumes the curriculum's stage-start event by itself: a fresh optimiser and the stage's starting policy
 * as the KL reference (`refPolicyPerStage: "stageInit"`, docs/algorithms.md §3.1).
 *
 * The task: prompt `s` must be answered with `golds[s]` (a string over {a, b}); stage 1 holds the one-letter
 * answers, stage 2 the two-letter ones.
 *
 * @example
 * ```ts
 * const curve = await trainSentWithCurriculum();
 * curve.at(-1); // { step: 60, stage: 2, score: ~1, entropy: ~0.05 }
 * ```
 */
export async function trainSentWithCurriculum(seed = 1, epochsPerStage = 20): Promise<CurriculumStep[]> {
  const rows = toyDataset(); // prompt `s` must be answered with a, b, ab, ba, aa or bb
  const curriculum = stagedCurriculum({
    stages: [rows.filter((r) => r.gold.length === 1), rows.filter((r) => r.gold.length === 2)],
    epochsPerStage,
    batchSize: 2,
    refPolicyPerStage: "stageInit",
    seed,
  });
  const trainer = createTrainer({
    policy: toyPolicy(),
    dataset: rows,
    plugins: [curriculum, tokenEntropyKlPlugin(), exactMatchReward()],
    config: {
      seed,
      totalSteps: curriculum.api.stepsPerStage(2).reduce((a, b) => a + b, 0),
      reward: "exact",
      policyLoss: "sent",
      lossOptions: { mode: "code-intended", useKlLoss: true, klLossCoef: 0.001 },
      promptsPerStep: 2,
      groupSize: 8,
      miniBatchPrompts: 1,
      microBatchSize: 4,
      maxResponseTokens: 3,
      zeroVarianceWarnSteps: 0,
      optimizer: { lr: 0.1, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, maxGradNorm: 1 },
    },
  });
  const results = await trainer.run();
  return results.map((r) => ({
    step: r.step,
    stage: r.metrics["curriculum/stage"],
    score: r.metrics["critic/score/mean"],
    entropy: r.metrics["actor/entropy"],
  }));
}
