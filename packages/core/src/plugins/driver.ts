import type { DatasetRow } from "../contracts/dataset.js";
import type { PolicyLossDefinition } from "../contracts/policy-loss.js";
import { SentrlError } from "../errors.js";
import { deriveSeed } from "../rng/derive-seed.js";
import { Rng } from "../rng/xoshiro.js";
import type { AdvantageEstimatorDefinition } from "../advantages/estimator.js";
import { deepFreeze } from "./deep-freeze.js";
import { StrategyRegistry } from "./strategy-registry.js";
import {
  type DeepReadonly,
  type HookName,
  type MetricsRecorder,
  OBSERVER_HOOKS,
  type ObserverHook,
  type ObserverHookData,
  type ObserverHookName,
  type Plugin,
  type PluginContext,
  type PluginStageStart,
  type PluginStrategies,
  type RolloutPlan,
  type VerifierDefinition,
  WATERFALL_HOOKS,
  type WaterfallHook,
  type WaterfallHookData,
  type WaterfallHookName,
  type WaterfallHookResult,
} from "./types.js";

/** What `beforeRollout` decided for a step: the prompts and, when a plugin started a curriculum stage, that start. */
export interface PlannedRollout {
  prompts: DatasetRow[];
  stageStart: PluginStageStart | null;
}

const STAGE_REFERENCES = new Set(["current", "keep"]);

function isRolloutPlan(v: unknown): v is RolloutPlan {
  return v !== null && typeof v === "object" && !Array.isArray(v) && "prompts" in v;
}

/** Checks a plugin's stage start (a typo here would silently skip SENT's optimiser reset or reference swap). */
function checkStageStart(plugin: string, step: number, s: unknown): PluginStageStart {
  const o = s as Partial<PluginStageStart> | null;
  if (
    o === null ||
    typeof o !== "object" ||
    !Number.isInteger(o.stage) ||
    typeof o.resetOptimizer !== "boolean" ||
    !STAGE_REFERENCES.has(o.reference as string)
  ) {
    throw new PluginHookError(
      plugin,
      "beforeRollout",
      step,
      undefined,
      `returned a bad stageStart ${JSON.stringify(s)}; expected { stage: integer, resetOptimizer: boolean, reference: "current" | "keep" }`,
    );
  }
  return { plugin, stage: o.stage!, resetOptimizer: o.resetOptimizer!, reference: o.reference! };
}

/** A hook error, wrapped with where it happened; `cause` is the original error. */
export class PluginHookError extends SentrlError {
  readonly plugin: string;
  readonly hook: HookName;
  readonly step: number;
  constructor(plugin: string, hook: HookName, step: number, cause: unknown, detail?: string) {
    const reason = detail ?? (cause instanceof Error ? cause.message : String(cause));
    super("PLUGIN_HOOK_FAILED", `plugin "${plugin}" failed in ${hook} at step ${step}: ${reason}`, { cause });
    this.name = "PluginHookError";
    this.plugin = plugin;
    this.hook = hook;
    this.step = step;
  }
}

/** Per-call facts the driver turns into a {@link PluginContext}. */
export interface HookCall {
  step: number;
  metrics?: MetricsRecorder;
  signal?: AbortSignal;
}

export interface PluginDriverOptions {
  /** Run seed: hook RNG streams derive from it. Default 0. */
  seed?: number;
  /** The run config, deep-copied and frozen for hooks. */
  config?: Record<string, unknown>;
  /** Definitions core (or the app) provides before any plugin, registered with owner `core`. */
  builtins?: PluginStrategies;
}

const HOOK_LIKE = /^(before|after|on)[A-Z]/;
const KNOWN_HOOKS = new Set<string>([...WATERFALL_HOOKS, ...OBSERVER_HOOKS]);
const NO_METRICS: MetricsRecorder = { record() {} };

function enforceRank(p: Plugin): number {
  return p.enforce === "pre" ? 0 : p.enforce === "post" ? 2 : 1;
}

function validatePlugin(p: Plugin, index: number): void {
  if (p === null || typeof p !== "object") {
    throw new SentrlError("PLUGIN_INVALID", `plugin #${index} is not an object (did you forget to call its factory?)`);
  }
  if (typeof p.name !== "string" || p.name.length === 0) {
    throw new SentrlError("PLUGIN_INVALID", `plugin #${index} has no name; every plugin needs a unique \`name\``);
  }
  if (p.enforce !== undefined && p.enforce !== "pre" && p.enforce !== "post") {
    throw new SentrlError(
      "PLUGIN_INVALID",
      `plugin "${p.name}": enforce must be "pre" or "post", got ${JSON.stringify(p.enforce)}`,
    );
  }
  for (const key of Object.keys(p)) {
    const value = (p as unknown as Record<string, unknown>)[key];
    if (KNOWN_HOOKS.has(key)) {
      if (value !== undefined && typeof value !== "function") {
        throw new SentrlError("PLUGIN_INVALID", `plugin "${p.name}": hook ${key} must be a function`);
      }
    } else if (typeof value === "function" && HOOK_LIKE.test(key)) {
      throw new SentrlError(
        "PLUGIN_UNKNOWN_HOOK",
        `plugin "${p.name}" defines unknown hook ${key}; hooks are: ${[...KNOWN_HOOKS].join(", ")}`,
      );
    }
  }
}

/**
 * Runs plugins' hooks and holds the run's strategy registries (DESIGN.md, Hooks).
 *
 * - **Order**: `enforce: "pre"` plugins, then plugins without `enforce`, then `enforce: "post"`; within each group,
 *   registration order. Every hook kind uses this order.
 * - **Waterfall** hooks (`beforeRollout`, `afterRollout`, `afterAdvantages`) run one after the other, each
 *   receiving the previous one's result; the first error stops the chain. `beforeRollout` may also return
 *   `{ prompts, stageStart }`: {@link PluginDriver.planRollout} hands the stage start to the trainer.
 * - **Observers** (`afterStep`, `onEvaluate`, `onCheckpoint`) each get their own deep-frozen copy of the event,
 *   so they cannot change the run or each other's view.
 * - Every hook error is rethrown as {@link PluginHookError} (`PLUGIN_HOOK_FAILED`, with plugin, hook, step, cause).
 * - Strategies: `policyLosses`, `advantageEstimators` and `verifiers` from `builtins` (owner `core`) and from each
 *   plugin land in per-driver registries; a duplicate name is `STRATEGY_DUPLICATE`.
 *
 * @example
 * ```ts
 * import { PluginDriver, definePlugin } from "@sentrl/core";
 * const driver = new PluginDriver([definePlugin({ name: "first-two", beforeRollout: (_ctx, rows) => rows.slice(0, 2) })], { seed: 1 });
 * const rows = await driver.waterfall("beforeRollout", [], { step: 0 });
 * ```
 */
export class PluginDriver {
  /** Plugins in call order. */
  readonly plugins: readonly Plugin[];
  readonly seed: number;
  readonly config: DeepReadonly<Record<string, unknown>>;
  // biome-ignore lint/suspicious/noExplicitAny: definitions carry their own option types
  readonly policyLosses = new StrategyRegistry<PolicyLossDefinition<any>>("policyLoss");
  // biome-ignore lint/suspicious/noExplicitAny: definitions carry their own option types
  readonly advantageEstimators = new StrategyRegistry<AdvantageEstimatorDefinition<any>>("advantage");
  readonly verifiers = new StrategyRegistry<VerifierDefinition>("reward");

  constructor(plugins: readonly Plugin[], options: PluginDriverOptions = {}) {
    const seen = new Set<string>();
    plugins.forEach((p, i) => {
      validatePlugin(p, i);
      if (seen.has(p.name)) {
        throw new SentrlError("PLUGIN_DUPLICATE", `two plugins are named "${p.name}"; plugin names must be unique`);
      }
      seen.add(p.name);
    });
    // Array.prototype.sort is stable: registration order is kept inside each enforce group.
    this.plugins = Object.freeze([...plugins].sort((a, b) => enforceRank(a) - enforceRank(b)));
    this.seed = options.seed ?? 0;
    this.config = deepFreeze(structuredClone(options.config ?? {})) as DeepReadonly<Record<string, unknown>>;
    if (options.builtins) this.registerStrategies(options.builtins, "core");
    for (const p of this.plugins) this.registerStrategies(p, `plugin "${p.name}"`);
  }

  private registerStrategies(s: PluginStrategies, owner: string): void {
    for (const d of s.policyLosses ?? []) this.policyLosses.register(d, owner);
    for (const d of s.advantageEstimators ?? []) this.advantageEstimators.register(d, owner);
    for (const d of s.verifiers ?? []) this.verifiers.register(d, owner);
  }

  /** Whether any plugin implements `hook` (lets a trainer skip work nobody listens to). */
  hasHook(hook: HookName): boolean {
    return this.plugins.some((p) => typeof p[hook] === "function");
  }

  /** The context a plugin's hook gets at a step (exported for custom drivers and tests). */
  context(plugin: string, hook: HookName, call: HookCall): PluginContext {
    return {
      step: call.step,
      config: this.config,
      rng: new Rng(deriveSeed(this.seed, call.step, `plugin:${plugin}:${hook}`)),
      metrics: call.metrics ?? NO_METRICS,
      signal: call.signal ?? new AbortController().signal,
      plugin,
    };
  }

  /**
   * Runs a waterfall hook over all plugins; returns the last result (the input when no plugin implements it). For
   * `beforeRollout` this is the prompts only: the trainer calls {@link PluginDriver.planRollout}, which also returns
   * a stage start.
   */
  async waterfall<K extends WaterfallHookName>(
    hook: K,
    value: WaterfallHookData[K],
    call: HookCall,
  ): Promise<WaterfallHookData[K]> {
    if (hook === "beforeRollout") {
      return (await this.planRollout(value as DatasetRow[], call)).prompts as WaterfallHookData[K];
    }
    return this.runWaterfall(hook, value, call);
  }

  /**
   * `beforeRollout` over all plugins: the prompts of the last plugin and the stage start one plugin asked for by
   * returning `{ prompts, stageStart }` (docs/algorithms.md §3.1). Two plugins starting a stage at the same step is
   * `PLUGIN_STAGE_CONFLICT`.
   */
  async planRollout(prompts: DatasetRow[], call: HookCall): Promise<PlannedRollout> {
    let stageStart: PluginStageStart | null = null;
    const chosen = await this.runWaterfall("beforeRollout", prompts, call, (plugin, result) => {
      if (!isRolloutPlan(result)) return result;
      if (result.stageStart !== undefined) {
        const next = checkStageStart(plugin, call.step, result.stageStart);
        if (stageStart) {
          throw new SentrlError(
            "PLUGIN_STAGE_CONFLICT",
            `plugins "${stageStart.plugin}" and "${plugin}" both start a stage at step ${call.step}; use one curriculum plugin`,
          );
        }
        stageStart = next;
      }
      return result.prompts;
    });
    return { prompts: chosen, stageStart };
  }

  private async runWaterfall<K extends WaterfallHookName>(
    hook: K,
    value: WaterfallHookData[K],
    call: HookCall,
    unwrap?: (plugin: string, result: WaterfallHookResult[K]) => WaterfallHookData[K],
  ): Promise<WaterfallHookData[K]> {
    let current = value;
    for (const p of this.plugins) {
      const fn = p[hook] as WaterfallHook<WaterfallHookData[K], WaterfallHookResult[K]> | undefined;
      if (!fn) continue;
      call.signal?.throwIfAborted();
      let next: WaterfallHookResult[K] | undefined;
      try {
        next = await fn.call(p, this.context(p.name, hook, call), current);
      } catch (e) {
        throw new PluginHookError(p.name, hook, call.step, e);
      }
      if (next === undefined || next === null) {
        throw new PluginHookError(
          p.name,
          hook,
          call.step,
          undefined,
          `returned ${next}; a waterfall hook must return the value (the one it got, or its replacement)`,
        );
      }
      current = unwrap ? unwrap(p.name, next) : (next as WaterfallHookData[K]);
    }
    return current;
  }

  /** Runs an observer hook: each plugin gets its own deep-frozen copy of `event`; plugins run in order. */
  async observe<K extends ObserverHookName>(hook: K, event: ObserverHookData[K], call: HookCall): Promise<void> {
    for (const p of this.plugins) {
      const fn = p[hook] as ObserverHook<ObserverHookData[K]> | undefined;
      if (!fn) continue;
      call.signal?.throwIfAborted();
      const copy = deepFreeze(structuredClone(event)) as DeepReadonly<ObserverHookData[K]>;
      try {
        await fn.call(p, this.context(p.name, hook, call), copy);
      } catch (e) {
        throw new PluginHookError(p.name, hook, call.step, e);
      }
    }
  }
}
