import {
  afterRollout,
  computeAdvantages,
  computeOldAndRefLogp,
  DEFAULT_OPTIMIZER_SETTINGS,
  type DatasetRow,
  grpoAdvantageEstimator,
  grpoLoss,
  PluginDriver,
  PromptSampler,
  resolveTrainerConfig,
  sampleGroups,
  StepMetrics,
  stepMetrics,
  toTrainingSamples,
  updatePolicy,
  COMMON_LOSS_DEFAULTS,
  type Verifier,
} from "@sentrl/core";
import { toyDataset, toyPolicy } from "@sentrl/testing";
import { dropUniformGroups } from "./drop-uniform-groups.js";

const rows: DatasetRow[] = toyDataset();
const exact: Verifier = {
  name: "exact",
  score: (response, sample) => ({
    reward: response === sample.gold ? 1 : 0,
    correct: response === sample.gold,
    extracted: response,
  }),
};

/**
 * A custom trainer: the GRPO loop written out from core's exported step functions instead of `createTrainer`, so
 * any step can be reordered or replaced. Here the prompt choice skips the `beforeRollout` hook and the rollout is
 * filtered by our own plugin. Returns the mean score of each step.
 */
export async function trainToyTask(steps: number, seed = 1): Promise<number[]> {
  const config = resolveTrainerConfig({
    seed,
    reward: "exact",
    promptsPerStep: 6,
    groupSize: 8,
    miniBatchPrompts: 3,
    microBatchSize: 4,
    maxResponseTokens: 3,
    optimizer: { ...DEFAULT_OPTIMIZER_SETTINGS, lr: 0.05, weightDecay: 0 },
  });
  const policy = toyPolicy();
  const driver = new PluginDriver([dropUniformGroups()], { seed });
  const sampler = new PromptSampler(rows, { batchSize: config.promptsPerStep, seed, shuffle: true });
  const estimator = grpoAdvantageEstimator.create({});
  const loss = grpoLoss.create({ clipRatioHigh: 0.28 });
  const scores: number[] = [];
  for (let step = 1; step <= steps; step++) {
    const ctx = { step, config, driver, metrics: new StepMetrics() };
    const groups = await sampleGroups(policy, exact, sampler.next(), ctx);
    const meanScore =
      groups.flatMap((g) => g.responses).reduce((a, r) => a + r.reward, 0) / (groups.length * config.groupSize);
    scores.push(meanScore);
    const kept = await afterRollout(groups, ctx);
    if (kept.length === 0) continue; // nothing to learn from this batch
    const samples = toTrainingSamples(await computeAdvantages(kept, estimator, ctx));
    await computeOldAndRefLogp(policy, null, samples, ctx);
    const update = await updatePolicy(policy, loss, COMMON_LOSS_DEFAULTS, samples, ctx);
    void stepMetrics(samples, update, config); // verl-named metrics, ready for a logger
  }
  return scores;
}
