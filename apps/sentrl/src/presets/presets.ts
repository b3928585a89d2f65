/**
 * Training presets: the SENT recipe (docs/algorithms.md §12, §6.9, §3.1) and one preset per baseline column of the paper's
 * tables (§7). Presets are plain data typed against the run configuration's schema (`RunConfigInput`); the app
 * resolves the strategy names against every package's registry. A preset is a base that the config file overrides
 * (objects merge, the file wins).
 *
 * Each preset carries its reward and prompt template as a pair: the `dapo` reward reads `Answer: ...` lines, which
 * only the DAPO prompt asks for.
 */
import type { RunConfigInput } from "./run-config.js";

/** Shared recipe of every preset (docs/algorithms.md §6.9): the baselines use the same hyper-parameters as SENT (§7). */
const RECIPE: RunConfigInput = {
  seed: 1,
  promptsPerStep: 256,
  groupSize: 8,
  miniBatchPrompts: 128,
  microBatchSize: 4,
  ppoEpochs: 1,
  shuffle: true,
  temperature: 1,
  topP: 1,
  maxResponseTokens: 2048,
  epochs: 5,
  optimizer: { lr: 1e-6, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0.01, maxGradNorm: 1 },
  advantage: { name: "grpo", options: {} },
  reward: { name: "dapo" },
  promptTemplate: "dapo",
};

const KL = { useKlLoss: true, klLossCoef: 0.001, klLossType: "low_var_kl", entropyCoeff: 0 };

/** SENT's two-stage semantic-entropy curriculum with the per-stage reference (§3.1), 5 epochs per stage. */
const CURRICULUM: RunConfigInput["curriculum"] = { kind: "staged", epochsPerStage: 5, refPolicyPerStage: "stageInit" };

/** Presets, typed against the run configuration's schema. */
export const PRESETS: Record<string, { description: string; config: RunConfigInput }> = {
  sent: {
    description: "SENT: `sent` loss (code-intended), k3 KL 0.001, 2-stage SE curriculum, per-stage reference",
    config: { ...RECIPE, loss: { name: "sent", options: { ...KL, mode: "code-intended" } }, curriculum: CURRICULUM },
  },
  grpo: {
    description: "GRPO baseline: clipped surrogate + k3 KL 0.001, full data (§7.1)",
    config: { ...RECIPE, loss: { name: "grpo", options: { ...KL } } },
  },
  "entropy-bonus": {
    description: "w/ En: GRPO + entropy bonus, entropyCoeff 0.001 (§7.2)",
    config: { ...RECIPE, loss: { name: "grpo", options: { ...KL, entropyCoeff: 0.001 } } },
  },
  "entropy-advantage": {
    description: "w/ Adv: entropy-shaped advantages, alpha 0.4, kappa 2 (§7.3)",
    config: { ...RECIPE, loss: { name: "entropy-advantage", options: { ...KL, alpha: 0.4, kappa: 2 } } },
  },
  "high-entropy-mask": {
    description: "w/ Mask: policy gradient on the top-20% entropy tokens only (§7.4)",
    config: { ...RECIPE, loss: { name: "high-entropy-mask", options: { ...KL, topEntropyRatio: 0.2 } } },
  },
  "clip-cov": {
    description: "w/ Clip: Clip-Cov, ratio 2e-4, bounds [1, 5] (§7.5)",
    config: {
      ...RECIPE,
      loss: { name: "clip-cov", options: { ...KL, clipCovRatio: 0.0002, clipCovLb: 1, clipCovUb: 5 } },
    },
  },
  "kl-cov": {
    description: "w/ Cov: KL-Cov, ratio 2e-4, coef 0.1 (§7.6)",
    config: { ...RECIPE, loss: { name: "kl-cov", options: { ...KL, klCovRatio: 0.0002, ppoKlCoef: 0.1 } } },
  },
  "sent-high-entropy": {
    description: "w/ High_En: the SENT selective KL on the high-entropy tokens (tokenSet high, §7.7; assumed)",
    config: {
      ...RECIPE,
      loss: { name: "sent", options: { ...KL, mode: "code-intended", tokenSet: "high" } },
      curriculum: CURRICULUM,
    },
  },
};

export const PRESET_NAMES = Object.keys(PRESETS);

/**
 * Scale of the tabular toy task (`policy: {kind: "tabular"}`), applied between the preset and the file: the recipe's
 * batch sizes and learning rate are for a 1.5B model on 17k problems; the toy has 6 problems and 3-token answers.
 * Losses, KL, curriculum and stage hand-off stay as the preset says.
 */
export const TABULAR_TOY_SCALE: RunConfigInput = {
  promptsPerStep: 2,
  groupSize: 8,
  miniBatchPrompts: 1,
  microBatchSize: 4,
  maxResponseTokens: 3,
  epochs: 40,
  optimizer: { lr: 0.1, weightDecay: 0 },
  reward: { name: "exact" },
  promptTemplate: "raw",
};

/** Curriculum epochs per stage at toy scale (a stage has 3 problems, one step per epoch). */
export const TABULAR_TOY_EPOCHS_PER_STAGE = 60;

/**
 * Reward ↔ prompt-template pairs: a reward reads the answer where one template asks for it. A config that pairs a
 * reward with another template fails before any work (`CONFIG_BAD_FIELD` at `config.promptTemplate`).
 */
export const REWARD_TEMPLATES: Record<string, readonly string[]> = {
  dapo: ["dapo"],
  "opencompass-v2": ["opencompass"],
  symbolic: ["opencompass"],
  exact: ["raw"],
};
