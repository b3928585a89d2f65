import type { DatasetRow, RolloutGroup } from "../contracts/dataset.js";
import type { PolicyLossDefinition } from "../contracts/policy-loss.js";
import type { Verifier } from "../contracts/verifier.js";
import type { Rng } from "../rng/xoshiro.js";
import type { AdvantageEstimatorDefinition } from "../advantages/estimator.js";

/** Read-only all the way down (the frozen config and observer events). */
export type DeepReadonly<T> = T extends (...args: never[]) => unknown
  ? T
  : T extends ArrayBufferView
    ? T
    : T extends ReadonlyArray<infer U>
      ? ReadonlyArray<DeepReadonly<U>>
      : T extends object
        ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
        : T;

/** Where hooks put scalar metrics of the current step (they end up in the metrics JSONL under these names). */
export interface MetricsRecorder {
  record(name: string, value: number): void;
}

/**
 * The explicit first argument of every hook.
 * - `rng` is a fresh stream seeded by `deriveSeed(runSeed, step, "plugin:<name>:<hook>")`: the same plugin sees
 *   the same numbers at the same step of a rerun or a resumed run, whatever other plugins draw.
 * - `config` is the run's config, deep-frozen.
 */
export interface PluginContext {
  readonly step: number;
  readonly config: DeepReadonly<Record<string, unknown>>;
  readonly rng: Rng;
  readonly metrics: MetricsRecorder;
  readonly signal: AbortSignal;
  /** Name of the plugin being called. */
  readonly plugin: string;
}

/**
 * A curriculum's stage start (docs/algorithms.md §3.1): what makes a staged curriculum SENT's. A plugin asks for one
 * by returning a {@link RolloutPlan} with `stageStart` from `beforeRollout`; the trainer applies it before the step's
 * rollout.
 */
export interface StageStart {
  /** 1-based stage number (for logs). */
  stage: number;
  /** Fresh optimiser state (needs `policy.resetOptimizer`); SENT's stages always start one. */
  resetOptimizer: boolean;
  /**
   * `current`: the policy as it is now becomes the KL reference π_ref (`stageInit`, what the released scripts do);
   * `keep`: keep the reference as it is (θ0, the policy when training started).
   */
  reference: "current" | "keep";
}

/**
 * A `beforeRollout` result that carries more than the prompts: the prompts and a stage start.
 *
 * @example
 * ```ts
 * import { definePlugin } from "@sentrl/core";
 * // Two stages: a fresh optimiser and the current policy as π_ref at steps 1 and 11.
 * const twoStages = definePlugin({
 *   name: "two-stages",
 *   beforeRollout(ctx, prompts) {
 *     if (ctx.step !== 1 && ctx.step !== 11) return prompts;
 *     return { prompts, stageStart: { stage: ctx.step === 1 ? 1 : 2, resetOptimizer: true, reference: "current" } };
 *   },
 * });
 * ```
 */
export interface RolloutPlan {
  prompts: DatasetRow[];
  stageStart?: StageStart;
}

/** A stage start with the plugin that asked for it. */
export interface PluginStageStart extends StageStart {
  plugin: string;
}

/** What each waterfall hook passes along: it may return a replacement of the same type. */
export interface WaterfallHookData {
  /** The prompts chosen for this step (the default sampler's choice); a curriculum returns its own. */
  beforeRollout: DatasetRow[];
  /** Groups with rewards; plugins annotate `info`, drop groups (filtering) or replace them. */
  afterRollout: RolloutGroup[];
  /** Groups with `advantage` set on every response. */
  afterAdvantages: RolloutGroup[];
}

export interface StepEvent {
  step: number;
  metrics: Record<string, number>;
}
export interface EvaluateEvent {
  step: number;
  metrics: Record<string, number>;
}
export interface CheckpointEvent {
  step: number;
  /** Directory of the checkpoint just written. */
  path: string;
}

/** What each observer hook receives (a deep-frozen copy: observers cannot change the run). */
export interface ObserverHookData {
  afterStep: StepEvent;
  onEvaluate: EvaluateEvent;
  onCheckpoint: CheckpointEvent;
}

/**
 * What each waterfall hook may return: its value's type, and for `beforeRollout` also a {@link RolloutPlan} (the
 * next plugin receives the plan's prompts).
 */
export interface WaterfallHookResult {
  beforeRollout: DatasetRow[] | RolloutPlan;
  afterRollout: RolloutGroup[];
  afterAdvantages: RolloutGroup[];
}

export type WaterfallHookName = keyof WaterfallHookData;
export type ObserverHookName = keyof ObserverHookData;
export type HookName = WaterfallHookName | ObserverHookName;

/** Waterfall hooks (in plugin order) may replace the value; they must return the same type (or a promise of it). */
export type WaterfallHook<T, R = T> = (ctx: PluginContext, value: T) => R | Promise<R>;
/** Observers run after the fact on a frozen copy and return nothing. */
export type ObserverHook<T> = (ctx: PluginContext, event: DeepReadonly<T>) => void | Promise<void>;

/** A reward strategy as plugins contribute it: `create` builds the verifier from the run's options. */
export interface VerifierDefinition {
  readonly name: string;
  readonly description?: string;
  create(options?: Record<string, unknown>): Verifier;
}

/** Strategy definitions a plugin contributes to the per-trainer registries. */
export interface PluginStrategies {
  // biome-ignore lint/suspicious/noExplicitAny: definitions with their own option types must be accepted
  policyLosses?: readonly PolicyLossDefinition<any>[];
  // biome-ignore lint/suspicious/noExplicitAny: definitions with their own option types must be accepted
  advantageEstimators?: readonly AdvantageEstimatorDefinition<any>[];
  verifiers?: readonly VerifierDefinition[];
}

export type PluginWaterfallHooks = {
  [K in WaterfallHookName]?: WaterfallHook<WaterfallHookData[K], WaterfallHookResult[K]>;
};
export type PluginObserverHooks = { [K in ObserverHookName]?: ObserverHook<ObserverHookData[K]> };

/**
 * A plugin: a plain object with a `name`, usually returned by a factory (`sentPolicyLoss(options)`), Rollup/Vite
 * style. Order of calls: plugins with `enforce: "pre"`, then the others, then `enforce: "post"`, each group in
 * registration order.
 *
 * A curriculum starts a stage by returning `{ prompts, stageStart }` from `beforeRollout` (see {@link StageStart});
 * that is the only way a stage start reaches the trainer.
 *
 * @example
 * ```ts
 * import { definePlugin } from "@sentrl/core";
 * export function dropSolvedGroups() {
 *   return definePlugin({
 *     name: "drop-solved",
 *     afterRollout(ctx, groups) {
 *       const kept = groups.filter((g) => g.responses.some((r) => !r.correct));
 *       ctx.metrics.record("drop-solved/dropped", groups.length - kept.length);
 *       return kept;
 *     },
 *   });
 * }
 * ```
 */
export interface Plugin extends PluginWaterfallHooks, PluginObserverHooks, PluginStrategies {
  readonly name: string;
  readonly enforce?: "pre" | "post";
  /** Anything the plugin wants to expose to other plugins or to its user (Rollup's `api`). */
  readonly api?: unknown;
  /**
   * Checkpointable progress (a curriculum's position): the trainer stores `state()` (JSON-serialisable) in each
   * checkpoint under the plugin's name and hands it back to `loadState` on resume.
   */
  state?(): unknown;
  loadState?(state: unknown): void;
}

/** Identity helper that type-checks a plugin literal (unknown hook names and wrong return types are errors). */
export function definePlugin<P extends Plugin>(plugin: P & Record<Exclude<keyof P, keyof Plugin>, never>): P {
  return plugin;
}

export const WATERFALL_HOOKS: readonly WaterfallHookName[] = ["beforeRollout", "afterRollout", "afterAdvantages"];
export const OBSERVER_HOOKS: readonly ObserverHookName[] = ["afterStep", "onEvaluate", "onCheckpoint"];
