import { join } from "node:path";
import type { Dataset, DatasetRow } from "../contracts/dataset.js";
import type { Policy, PolicyState, ScoringPolicy } from "../contracts/policy.js";
import { SentrlError } from "../errors.js";
import { createMetricsLogger, type MetricsLogger } from "../io/metrics-logger.js";
import type { PluginDriver } from "../plugins/driver.js";
import type { Plugin, PluginStrategies, StageStart } from "../plugins/types.js";
import { saveCheckpoint } from "./checkpoint.js";
import { configHash } from "./config-diff.js";
import { openForResume, restoreMetricsLog } from "./resume.js";
import { resolveTrainerConfig, type TrainerConfig } from "./config.js";
import { rolloutCorrection } from "./rollout-correction.js";
import { PromptSampler } from "./sampler.js";
import { resolveStrategies, trainerDriver } from "./strategies.js";
import {
  afterRollout,
  choosePrompts,
  computeAdvantages,
  computeOldAndRefLogp,
  sampleGroups,
  type StepContext,
  StepMetrics,
  stepMetrics,
  toTrainingSamples,
  updatePolicy,
} from "./steps.js";

export interface CreateTrainerOptions {
  policy: Policy;
  dataset: Dataset | readonly DatasetRow[];
  plugins?: readonly Plugin[];
  config?: Partial<TrainerConfig>;
  /** Where `metrics.jsonl` and `checkpoints/` go; without it nothing is written. */
  outputDir?: string;
  /**
   * Frozen reference for the KL term. Default: a snapshot of the policy when training starts (the stage's initial
   * policy, docs/algorithms.md §3.1 `stageInit`); its state is then kept in checkpoints.
   */
  reference?: ScoringPolicy;
  /** Strategy definitions added to core's (`grpo` loss; `grpo`, `dr-grpo` estimators), e.g. the app's verifiers. */
  builtins?: PluginStrategies;
  /**
   * Evaluation every `config.evaluateEvery` steps: its metrics go to the log (after the step's line, before the
   * step's checkpoint, so a resumed run repeats them) and to `onEvaluate` observers.
   */
  evaluate?: (event: { step: number; policy: Policy }) => Promise<Record<string, number>> | Record<string, number>;
  /** Where warnings go (default `process.emitWarning`): `TRAINER_NO_REWARD_VARIANCE`, `CHECKPOINT_FALLBACK`. */
  onWarning?: (warning: { code: string; message: string; step: number }) => void;
  /** Keep only the newest this many checkpoints (default: all). */
  keepCheckpoints?: number;
  /** `resume()` accepts a config that differs in `totalSteps`, `checkpointEvery`, `evaluateEvery`. */
  resumeWithChanges?: boolean;
}

export interface StepResult {
  /** The step this result is for (the last completed step when `done`). */
  step: number;
  metrics: Record<string, number>;
  /** True when `beforeRollout` chose no prompts (a finished curriculum): nothing was trained. */
  done?: boolean;
}

/** @deprecated A stage start is now {@link StageStart}, returned from a plugin's `beforeRollout`. */
export type StageStartRequest = StageStart;

export interface Trainer {
  readonly config: TrainerConfig;
  readonly driver: PluginDriver;
  /** Completed steps. */
  readonly step: number;
  /** One GRPO step (the steps of `steps.ts` in order), its metrics logged and observed. */
  trainStep(
    signal?: AbortSignal,
  ): Promise<StepResult> /** Steps until `config.totalSteps` or until `beforeRollout` chooses no prompts (checkpointing every `checkpointEvery`). */;
  run(options?: { signal?: AbortSignal }): Promise<StepResult[]>;
  /** Writes a checkpoint now; returns its directory. */
  checkpoint(): Promise<string>;
  /** Restores a checkpoint (default: the latest under `outputDir`); returns the completed step count. */
  resume(dir?: string): Promise<number>;
  /** Reports evaluation metrics to `onEvaluate` observers (and the metrics log, prefixed as given). */
  reportEvaluation(metrics: Record<string, number>): Promise<void>;
}

/**
 * A GRPO trainer composed from the exported step functions: choose prompts (`beforeRollout`) → sample
 * `groupSize` completions per prompt → rewards (the `reward` strategy) → `afterRollout` → advantages (the
 * `advantage` strategy) → `afterAdvantages` → old and reference log-probs → mini-batches of whole groups in order →
 * micro-batches → selection → token losses (`evaluatePolicyLoss` with the `policyLoss` strategy) → scaled backward
 * → clipped AdamW step per mini-batch → verl-named metrics (JSONL) → `afterStep` → atomic checkpoints → exact resume.
 *
 * Randomness: every draw derives from `(config.seed, step, purpose)`, so a resumed run repeats an uninterrupted
 * one exactly.
 *
 * @example
 * ```ts
 * import { createTrainer } from "@sentrl/core";
 * import { createTabularPolicy } from "@sentrl/testing";
 * const policy = createTabularPolicy({ states: 4, vocab: ["a", "b", "<eos>"], eosToken: 2, maxTokens: 3 });
 * const trainer = createTrainer({
 *   policy,
 *   dataset: [{ id: "0", prompt: "0", gold: "ab" }, { id: "1", prompt: "1", gold: "b" }],
 *   plugins: [{ name: "exact", verifiers: [{ name: "exact", create: () => ({ name: "exact",
 *     score: (r, s) => ({ reward: r === s.gold ? 1 : 0, correct: r === s.gold, extracted: r }) }) }] }],
 *   config: { reward: "exact", promptsPerStep: 2, miniBatchPrompts: 2, groupSize: 8, maxResponseTokens: 3, totalSteps: 50,
 *     optimizer: { lr: 0.1, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, maxGradNorm: 1 } },
 * });
 * await trainer.run();
 * ```
 */
export function createTrainer(options: CreateTrainerOptions): Trainer {
  const { policy, outputDir } = options;
  const resolved = resolveTrainerConfig(options.config ?? {});
  const policyEos = (policy as { eosTokenId?: unknown }).eosTokenId;
  const config: TrainerConfig =
    resolved.eosTokenId === undefined && typeof policyEos === "number"
      ? { ...resolved, eosTokenId: policyEos }
      : resolved;
  const warn =
    options.onWarning ?? ((w: { code: string; message: string }) => process.emitWarning(w.message, { code: w.code }));
  let zeroVarianceStreak = 0;
  const rows = Array.isArray(options.dataset)
    ? (options.dataset as readonly DatasetRow[])
    : (options.dataset as Dataset).rows;
  const driver = trainerDriver(options.plugins ?? [], config, options.builtins);
  // Strategies: resolved once, so a bad name or option fails before any work (CONFIG_BAD_FIELD naming the field).
  const { loss, commonOptions, estimator, verifier } = resolveStrategies(driver, config);
  const needReference = commonOptions.useKlLoss || loss.needs?.refLogp === true;

  const sampler = new PromptSampler(rows, {
    batchSize: config.promptsPerStep,
    seed: config.seed,
    shuffle: config.shuffle,
  });
  const logger: MetricsLogger | null = outputDir ? createMetricsLogger(join(outputDir, "metrics.jsonl")) : null;
  let step = 0;
  let reference: ScoringPolicy | null = options.reference ?? null;
  let referenceState: PolicyState | null = null;
  const plugins = driver.plugins;

  async function ensureReference(): Promise<ScoringPolicy | null> {
    if (!needReference) return null;
    if (!reference) {
      referenceState = await policy.state();
      reference = await policy.snapshot();
    }
    return reference;
  }

  async function startStage(start: StageStart): Promise<void> {
    if (start.resetOptimizer) {
      if (!policy.resetOptimizer) {
        throw new SentrlError(
          "POLICY_CANNOT_RESET_OPTIMIZER",
          "a stage start asks for a fresh optimiser but the policy has no resetOptimizer()",
        );
      }
      await policy.resetOptimizer();
    }
    if (start.reference === "current" && needReference && !options.reference) {
      referenceState = await policy.state();
      reference = await policy.snapshot();
    }
  }

  const trainer: Trainer = {
    config,
    driver,
    get step() {
      return step;
    },

    async trainStep(signal) {
      const ctx: StepContext = { step: step + 1, config, driver, metrics: new StepMetrics(), signal };
      await ensureReference(); // the stage's initial policy, taken before any update
      const { prompts: chosen, stageStart } = await choosePrompts(sampler.next(), ctx);
      if (chosen.length === 0) return { step, metrics: {}, done: true };
      // A curriculum plugin started a stage in this beforeRollout (docs/algorithms.md §3.1): fresh optimiser, and
      // π_ref = the stage's starting policy (`stageInit`) or kept (θ0).
      if (stageStart) await startStage(stageStart);
      const ref = await ensureReference();
      let groups = await sampleGroups(policy, verifier, chosen, ctx);
      const uniform = groups.every((g) => g.responses.every((r) => r.reward === g.responses[0]?.reward));
      zeroVarianceStreak = uniform ? zeroVarianceStreak + 1 : 0;
      if (config.zeroVarianceWarnSteps > 0 && zeroVarianceStreak === config.zeroVarianceWarnSteps) {
        warn({
          code: "TRAINER_NO_REWARD_VARIANCE",
          step: ctx.step,
          message:
            `every group had zero reward variance for ${zeroVarianceStreak} steps (step ${ctx.step}): GRPO has no ` +
            "learning signal; check that the reward matches the prompt template (the dapo reward needs the DAPO " +
            "prompt) and that the task is neither too hard nor already solved",
        });
      }
      groups = await afterRollout(groups, ctx);
      groups = await computeAdvantages(groups, estimator, ctx);
      const samples = toTrainingSamples(groups);
      await computeOldAndRefLogp(policy, ref, samples, ctx);
      rolloutCorrection(groups, samples, config.rollout?.tisCap, ctx.metrics);
      const update = await updatePolicy(policy, loss, commonOptions, samples, ctx);
      // Plugin metrics first; the trainer's verl-named metrics win a name clash.
      const metrics = { ...ctx.metrics.values, ...stepMetrics(samples, update, config) };
      step = ctx.step;
      await logger?.log(step, metrics);
      await driver.observe("afterStep", { step, metrics }, { step, signal });
      if (options.evaluate && config.evaluateEvery > 0 && step % config.evaluateEvery === 0) {
        await trainer.reportEvaluation(await options.evaluate({ step, policy }));
      }
      if (outputDir && config.checkpointEvery > 0 && step % config.checkpointEvery === 0) {
        const path = await trainer.checkpoint();
        await driver.observe("onCheckpoint", { step, path }, { step, signal });
      }
      return { step, metrics };
    },

    async run(runOptions = {}) {
      const results: StepResult[] = [];
      while (step < config.totalSteps) {
        const result = await trainer.trainStep(runOptions.signal);
        if (result.done) break;
        results.push(result);
      }
      return results;
    },

    async checkpoint() {
      if (!outputDir) throw new SentrlError("TRAINER_NO_OUTPUT_DIR", "checkpoints need createTrainer({ outputDir })");
      await ensureReference();
      await logger?.close();
      return saveCheckpoint(
        outputDir,
        {
          meta: {
            format: 1,
            step,
            sampler: sampler.state,
            metricsBytes: 0,
            policyMeta: {},
            config: config as unknown as Record<string, unknown>,
            configHash: configHash(config),
            trainer: { zeroVarianceStreak },
            plugins: Object.fromEntries(
              plugins.filter((p) => typeof p.state === "function").map((p) => [p.name, p.state!()]),
            ),
          },
          policy: await policy.state(),
          reference: options.reference ? undefined : (referenceState ?? undefined),
        },
        { metricsPath: logger?.path, keep: options.keepCheckpoints },
      );
    },

    async resume(dir) {
      if (!dir && !outputDir) throw new SentrlError("CHECKPOINT_NOT_FOUND", "no checkpoint to resume from");
      // The newest intact checkpoint, its config checked against ours.
      const opened = await openForResume({
        outputDir,
        dir,
        metricsPath: logger?.path,
        config,
        allowChanges: options.resumeWithChanges,
        warn,
      });
      const ckpt = opened.ckpt;
      if (ckpt.reference && !options.reference) {
        await policy.load(ckpt.reference);
        reference = await policy.snapshot();
        referenceState = ckpt.reference;
      }
      await policy.load(ckpt.policy);
      sampler.state = ckpt.meta.sampler;
      step = ckpt.meta.step;
      zeroVarianceStreak = ckpt.meta.trainer?.zeroVarianceStreak ?? 0;
      for (const p of plugins) {
        const saved = ckpt.meta.plugins?.[p.name];
        if (saved !== undefined && typeof p.loadState === "function") p.loadState(saved);
      }
      if (logger) {
        // The metrics log becomes the checkpoint's: lines of steps after it go, lost or torn ones come back.
        await logger.close();
        await restoreMetricsLog(opened.dir, logger.path, ckpt);
      }
      return step;
    },

    async reportEvaluation(metrics) {
      await logger?.log(step, metrics);
      await driver.observe("onEvaluate", { step, metrics }, { step });
    },
  };
  return trainer;
}
