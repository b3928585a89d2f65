// The GRPO trainer: config, exported step functions, checkpoints (its test policy is in @sentrl/testing).
export {
  checkTrainerConfig,
  DEFAULT_TRAINER_CONFIG,
  OPTIMIZER_FIELDS,
  resolveTrainerConfig,
  type SelectionScope,
  TRAINER_CONFIG_FIELDS,
  TRAINER_CONFIG_SCHEMA,
  type TrainerConfig,
} from "./config.js";
export { PromptSampler, type SamplerPosition } from "./sampler.js";
export {
  atConfigField,
  type RunStrategies,
  resolveStrategies,
  type StrategyField,
  type StrategyFieldPaths,
  TRAINER_STRATEGY_PATHS,
  trainerDriver,
} from "./strategies.js";
export {
  afterRollout,
  buildTokenBatch,
  choosePrompts,
  computeAdvantages,
  computeOldAndRefLogp,
  miniBatchRanges,
  responseMaskLength,
  sampleGroups,
  sliceSelection,
  type StepContext,
  StepMetrics,
  stepMetrics,
  toTrainingSamples,
  type UpdateResult,
  updatePolicy,
} from "./steps.js";
export {
  checkpointDir,
  checkpointProblem,
  cleanupCheckpointLeftovers,
  findResumableCheckpoint,
  latestCheckpoint,
  listCheckpoints,
  loadCheckpoint,
  type ResumableCheckpoint,
  type SaveCheckpointOptions,
  saveCheckpoint,
  type TrainerCheckpoint,
  type TrainerCheckpointMeta,
} from "./checkpoint.js";
export {
  type ConfigDifference,
  canonicalJson,
  checkResumeConfig,
  configHash,
  diffConfigs,
  type ResumeConfigCheck,
} from "./config-diff.js";
export { RESUME_SAFE_FIELDS } from "./resume.js";
export { decodeTensors, encodeTensors } from "./tensor-file.js";
export {
  type CreateTrainerOptions,
  createTrainer,
  type StageStartRequest,
  type StepResult,
  type Trainer,
} from "./trainer.js";
export { type EngineRolloutOptions, type EngineRolloutPolicy, withEngineRollouts } from "./engine-rollout.js";
export { rolloutCorrection } from "./rollout-correction.js";
