import { DEFAULT_OPTIMIZER_SETTINGS, type OptimizerSettings } from "../contracts/policy.js";
import { SentrlError } from "../errors.js";
import type { MicroBatchCombination } from "../losses/micro-batch.js";

/** Where a loss's `select` runs: per micro-batch (exact parity with the reference) or on the mini-batch's rollout statistics. */
export type SelectionScope = "microBatch" | "miniBatch";

/**
 * Trainer settings; defaults follow the SENT recipe (docs/algorithms.md §6.9, §12) scaled by the caller.
 * Batch sizes: `promptsPerStep` prompts × `groupSize` responses per step; mini-batches of `miniBatchPrompts` whole
 * groups, in order; micro-batches of `microBatchSize` responses inside a mini-batch.
 */
export interface TrainerConfig {
  /** Run seed: data order, rollout seeds, plugin RNG streams and loss seeds all derive from it. */
  seed: number;
  /** Steps `run()` trains for (a resumed run continues up to it). */
  totalSteps: number;
  promptsPerStep: number;
  groupSize: number;
  miniBatchPrompts: number;
  microBatchSize: number;
  ppoEpochs: number;
  /** Shuffle the data each epoch (verl `data.shuffle`); the last incomplete batch is dropped. */
  shuffle: boolean;
  temperature: number;
  topP: number;
  topK: number | undefined;
  maxResponseTokens: number;
  /** Strategy names, looked up in the trainer's registries. */
  policyLoss: string;
  advantage: string;
  reward: string;
  /** Flat loss config: the common options (`useKlLoss`, `klLossCoef`, ...) and the loss's own. */
  lossOptions: Record<string, unknown>;
  advantageOptions: Record<string, unknown>;
  rewardOptions: Record<string, unknown>;
  selectionScope: SelectionScope;
  /**
   * `microBatchMean` (verl 0.4, SENT): each micro-batch's loss is divided by `miniBatchPrompts·groupSize / microBatchSize`
   * (also a short last micro-batch); `globalTokenMean`: weighted by its share of the mini-batch's valid tokens.
   */
  microBatchCombination: MicroBatchCombination;
  optimizer: OptimizerSettings;
  /** Write a checkpoint every this many steps (0: only when asked). Needs `outputDir`. */
  checkpointEvery: number;
  /** Call the trainer's `evaluate` callback every this many steps (0: never). */
  evaluateEvery: number;
  /**
   * End-of-sequence token id: a response's tokens are cut after its first EOS (EOS kept, docs/algorithms.md §6.8). Default:
   * the policy's `eosTokenId` when it exposes one, else the policy's token ids are used as they are.
   */
  eosTokenId: number | undefined;
  /** Warn when every group of this many consecutive steps had zero reward variance (no learning signal); 0: never. */
  zeroVarianceWarnSteps: number;
}

export const DEFAULT_TRAINER_CONFIG: Readonly<TrainerConfig> = Object.freeze({
  seed: 1,
  totalSteps: 1,
  promptsPerStep: 256,
  groupSize: 8,
  miniBatchPrompts: 128,
  microBatchSize: 4,
  ppoEpochs: 1,
  shuffle: true,
  temperature: 1,
  topP: 1,
  topK: undefined,
  maxResponseTokens: 2048,
  policyLoss: "grpo",
  advantage: "grpo",
  reward: "dapo",
  lossOptions: {},
  advantageOptions: {},
  rewardOptions: {},
  selectionScope: "microBatch",
  microBatchCombination: "microBatchMean",
  optimizer: DEFAULT_OPTIMIZER_SETTINGS,
  checkpointEvery: 0,
  evaluateEvery: 0,
  eosTokenId: undefined,
  zeroVarianceWarnSteps: 5,
});

const bad = (key: string, v: unknown, what: string): never => {
  throw new SentrlError("TRAINER_BAD_OPTION", `config.${key}: expected ${what}, got ${JSON.stringify(v) ?? String(v)}`);
};

/**
 * Fills in defaults and validates (`TRAINER_UNKNOWN_OPTION` lists the valid keys; `TRAINER_BAD_OPTION` says
 * what a value must be).
 *
 * @example
 * ```ts
 * import { resolveTrainerConfig } from "@sentrl/core";
 * resolveTrainerConfig({ promptsPerStep: 8, miniBatchPrompts: 4 }).microBatchSize; // 4
 * ```
 */
export function resolveTrainerConfig(partial: Partial<TrainerConfig> = {}): TrainerConfig {
  const keys = Object.keys(DEFAULT_TRAINER_CONFIG);
  for (const key of Object.keys(partial)) {
    if (!keys.includes(key)) {
      throw new SentrlError(
        "TRAINER_UNKNOWN_OPTION",
        `config.${key}: unknown trainer option; valid options: ${keys.join(", ")}`,
      );
    }
  }
  const optKeys = Object.keys(DEFAULT_OPTIMIZER_SETTINGS);
  const givenOptimizer = partial.optimizer ?? {};
  if (givenOptimizer === null || typeof givenOptimizer !== "object" || Array.isArray(givenOptimizer))
    bad("optimizer", givenOptimizer, "an object");
  for (const key of Object.keys(givenOptimizer)) {
    if (!optKeys.includes(key)) {
      throw new SentrlError(
        "TRAINER_UNKNOWN_OPTION",
        `config.optimizer.${key}: unknown optimizer option; valid options: ${optKeys.join(", ")}`,
      );
    }
  }
  const defined = Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined));
  const c: TrainerConfig = {
    ...DEFAULT_TRAINER_CONFIG,
    ...defined,
    optimizer: { ...DEFAULT_OPTIMIZER_SETTINGS, ...(partial.optimizer ?? {}) },
  };
  const posInt = (key: keyof TrainerConfig, min = 1) => {
    const v = c[key];
    if (!(Number.isInteger(v) && (v as number) >= min)) bad(key, v, `an integer ≥ ${min}`);
  };
  posInt("seed", 0);
  posInt("totalSteps", 0);
  for (const k of [
    "promptsPerStep",
    "groupSize",
    "miniBatchPrompts",
    "microBatchSize",
    "ppoEpochs",
    "maxResponseTokens",
  ] as const)
    posInt(k);
  posInt("checkpointEvery", 0);
  posInt("evaluateEvery", 0);
  posInt("zeroVarianceWarnSteps", 0);
  if (c.eosTokenId !== undefined && !(Number.isInteger(c.eosTokenId) && c.eosTokenId >= 0))
    bad("eosTokenId", c.eosTokenId, "a token id (integer ≥ 0) or undefined");
  if (c.miniBatchPrompts > c.promptsPerStep)
    bad("miniBatchPrompts", c.miniBatchPrompts, `at most promptsPerStep (${c.promptsPerStep})`);
  if (!(c.temperature > 0 && Number.isFinite(c.temperature))) bad("temperature", c.temperature, "a positive number");
  if (!(c.topP > 0 && c.topP <= 1)) bad("topP", c.topP, "in (0, 1]");
  if (c.topK !== undefined && !Number.isInteger(c.topK)) bad("topK", c.topK, "an integer or undefined");
  if (typeof c.shuffle !== "boolean") bad("shuffle", c.shuffle, "true or false");
  for (const k of ["policyLoss", "advantage", "reward"] as const)
    if (typeof c[k] !== "string" || c[k] === "") bad(k, c[k], "a strategy name");
  for (const k of ["lossOptions", "advantageOptions", "rewardOptions"] as const) {
    const v = c[k];
    if (v === null || typeof v !== "object" || Array.isArray(v)) bad(k, v, "an object");
  }
  if (c.selectionScope !== "microBatch" && c.selectionScope !== "miniBatch")
    bad("selectionScope", c.selectionScope, '"microBatch" or "miniBatch"');
  if (c.microBatchCombination !== "microBatchMean" && c.microBatchCombination !== "globalTokenMean") {
    bad("microBatchCombination", c.microBatchCombination, '"microBatchMean" or "globalTokenMean"');
  }
  const o = c.optimizer;
  if (!(o.lr >= 0 && Number.isFinite(o.lr))) bad("optimizer.lr", o.lr, "a finite number ≥ 0");
  if (!(Array.isArray(o.betas) && o.betas.length === 2 && o.betas.every((b) => b >= 0 && b < 1)))
    bad("optimizer.betas", o.betas, "two numbers in [0, 1)");
  if (!(o.eps >= 0)) bad("optimizer.eps", o.eps, "a number ≥ 0");
  if (!(o.weightDecay >= 0)) bad("optimizer.weightDecay", o.weightDecay, "a number ≥ 0");
  if (typeof o.maxGradNorm !== "number" || Number.isNaN(o.maxGradNorm))
    bad("optimizer.maxGradNorm", o.maxGradNorm, "a number (≤ 0: no clipping)");
  return c;
}
