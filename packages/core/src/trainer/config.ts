import {
  badField,
  bool,
  configFields,
  custom,
  type Infer,
  int,
  list,
  num,
  object,
  oneOf,
  optional,
  record,
  str,
} from "../config/schema.js";
import { DEFAULT_OPTIMIZER_SETTINGS } from "../contracts/policy.js";


/**
 * The trainer's settings, each declared once (docs, default, check): the `TrainerConfig` type, the validator and the
 * help of `sentrl train` all come from these. Defaults follow the SENT recipe (docs/algorithms.md §6.9, §12) scaled
 * by the caller. Batch sizes: `promptsPerStep` prompts × `groupSize` responses per step; mini-batches of
 * `miniBatchPrompts` whole groups, in order; micro-batches of `microBatchSize` responses inside a mini-batch.
 */
export const OPTIMIZER_FIELDS = {
  lr: num({ doc: "AdamW learning rate", check: (x) => x >= 0, what: "≥ 0", default: DEFAULT_OPTIMIZER_SETTINGS.lr }),
  betas: custom<[number, number]>({
    doc: "AdamW (β1, β2)",
    type: "[number, number] in [0, 1)",
    default: [...DEFAULT_OPTIMIZER_SETTINGS.betas],
    check: (v, path) =>
      Array.isArray(v) && v.length === 2 && v.every((b) => typeof b === "number" && b >= 0 && b < 1)
        ? [v[0], v[1]]
        : badField(path, "two numbers in [0, 1)", v),
  }),
  eps: num({ doc: "AdamW ε", check: (x) => x >= 0, what: "≥ 0", default: DEFAULT_OPTIMIZER_SETTINGS.eps }),
  weightDecay: num({
    doc: "decoupled weight decay",
    check: (x) => x >= 0,
    what: "≥ 0",
    default: DEFAULT_OPTIMIZER_SETTINGS.weightDecay,
  }),
  maxGradNorm: num({
    doc: "clip the global gradient norm to this (≤ 0: no clipping)",
    what: "(≤ 0: no clipping)",
    finite: false,
    default: DEFAULT_OPTIMIZER_SETTINGS.maxGradNorm,
  }),
};

export const TRAINER_CONFIG_FIELDS = {
  seed: int({
    doc: "run seed: data order, rollout seeds, plugin RNG streams and loss seeds derive from it",
    default: 1,
  }),
  totalSteps: int({ doc: "steps run() trains for (a resumed run continues up to it)", default: 1 }),
  promptsPerStep: int({ doc: "prompts per step", min: 1, default: 256 }),
  groupSize: int({ doc: "responses per prompt (a GRPO group)", min: 1, default: 8 }),
  miniBatchPrompts: int({
    doc: "whole groups per mini-batch (one optimiser step each); ≤ promptsPerStep",
    min: 1,
    default: 128,
  }),
  microBatchSize: int({ doc: "responses per micro-batch (gradient accumulation)", min: 1, default: 4 }),
  ppoEpochs: int({ doc: "passes over each step's mini-batches", min: 1, default: 1 }),
  shuffle: bool({
    doc: "shuffle the data each epoch (verl data.shuffle); the last incomplete batch is dropped",
    default: true,
  }),
  temperature: num({ doc: "rollout sampling temperature", check: (x) => x > 0, what: "> 0", default: 1 }),
  topP: num({ doc: "rollout nucleus sampling", check: (x) => x > 0 && x <= 1, what: "in (0, 1]", default: 1 }),
  topK: optional(int({ doc: "rollout top-k (absent: off)", min: 1 })),
  maxResponseTokens: int({ doc: "longest response, in tokens", min: 1, default: 2048 }),
  policyLoss: str({
    doc: "policy-loss strategy, looked up in the trainer's registry",
    what: "a strategy name",
    default: "grpo",
  }),
  advantage: str({ doc: "advantage estimator strategy", what: "a strategy name", default: "grpo" }),
  reward: str({
    doc: "reward strategy (dapo, opencompass-v2, symbolic: mathRewards() of @sentrl/evaluators)",
    what: "a strategy name",
    default: "dapo",
  }),
  lossOptions: record({ doc: "the common loss options (useKlLoss, klLossCoef, ...) and the loss's own", default: {} }),
  advantageOptions: record({ doc: "the advantage estimator's options", default: {} }),
  rewardOptions: record({ doc: "the reward's options", default: {} }),
  selectionScope: oneOf(["microBatch", "miniBatch"] as const, {
    doc: "where a loss's select runs: per micro-batch (the reference) or on the mini-batch",
    default: "microBatch",
  }),
  microBatchCombination: oneOf(["microBatchMean", "globalTokenMean"] as const, {
    doc: "microBatchMean (verl 0.4, SENT): each micro-batch's loss / (mini-batch responses / microBatchSize); globalTokenMean: weighted by its share of valid tokens",
    default: "microBatchMean",
  }),
  optimizer: object(OPTIMIZER_FIELDS, { doc: "AdamW settings" }),
  checkpointEvery: int({
    doc: "write a checkpoint every this many steps (0: only when asked); needs an output dir",
    default: 0,
  }),
  evaluateEvery: int({ doc: "evaluate every this many steps (0: never)", default: 0 }),
  eosTokenId: optional(
    int({
      doc: "end-of-sequence token id: responses are cut after their first EOS (default: the policy's eosTokenId)",
    }),
  ),
  rollout: optional(
    object(
      {
        tisCap: optional(
          num({
            doc: "truncated importance sampling: weight each token's policy-gradient term by min(p_trainer / p_sampler, tisCap) (absent: off); the mismatch metrics are logged either way",
            check: (x) => x >= 1,
            what: "≥ 1",
          }),
        ),
        engines: optional(
          list(str({ doc: "an `openai:<baseURL>#<model>` spec", what: "an openai:<baseURL>#<model> spec" }), {
            doc: "inference engines that sample the rollouts (openai:<baseURL>#<model>, one model name; prompts spread over them, weights synced after each update); read by `sentrl train` with a model policy (docs/serving.md §2)",
          }),
        ),
        weightSync: optional(
          oneOf(["sglang", "vllm"] as const, {
            doc: "the engines' reload API: sglang (/update_weights_from_disk, also sentrl serve; the default) or vllm (/collective_rpc reload_weights, in place)",
          }),
        ),
        weightsDir: optional(
          str({
            doc: "where weights for the engines are written (default <out>/engine-weights; with vllm: the folder the engines serve)",
            what: "a folder",
          }),
        ),
      },
      { doc: "rollouts on inference engines and their correction (docs/serving.md §2, §3)" },
    ),
  ),
  zeroVarianceWarnSteps: int({
    doc: "warn after this many consecutive steps where every group had zero reward variance (0: never)",
    default: 5,
  }),
};

export const TRAINER_CONFIG_SCHEMA = configFields(TRAINER_CONFIG_FIELDS);

/** Trainer settings (see {@link TRAINER_CONFIG_FIELDS}): a plain JSON-serialisable object once resolved. */
export type TrainerConfig = Infer<typeof TRAINER_CONFIG_SCHEMA>;

/** Where a loss's `select` runs: per micro-batch (exact parity with the reference) or on the mini-batch's rollout statistics. */
export type SelectionScope = TrainerConfig["selectionScope"];

export const DEFAULT_TRAINER_CONFIG: Readonly<TrainerConfig> = Object.freeze(TRAINER_CONFIG_SCHEMA.parse({}, "config"));

/**
 * Fills in defaults and validates: `CONFIG_UNKNOWN_FIELD` lists the valid keys, `CONFIG_BAD_FIELD` says what a value
 * must be; both name the field (`config.optimizer.lr: ...`).
 *
 * @example
 * ```ts
 * import { resolveTrainerConfig } from "@sentrl/core";
 * resolveTrainerConfig({ promptsPerStep: 8, miniBatchPrompts: 4 }).microBatchSize; // 4
 * ```
 */
export function resolveTrainerConfig(partial: Partial<TrainerConfig> = {}): TrainerConfig {
  const c = TRAINER_CONFIG_SCHEMA.parse(partial, "config");
  checkTrainerConfig(c, "config");
  return c;
}

/** The checks across fields (after each field's own). */
export function checkTrainerConfig(c: Pick<TrainerConfig, "miniBatchPrompts" | "promptsPerStep">, path: string): void {
  if (c.miniBatchPrompts > c.promptsPerStep)
    badField(`${path}.miniBatchPrompts`, `at most promptsPerStep (${c.promptsPerStep})`, c.miniBatchPrompts);
}
