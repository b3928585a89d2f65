import { type AdvantageEstimator, advantageEstimatorDefinitions } from "../advantages/estimator.js";
import { ConfigFieldError } from "../config/schema.js";
import type { CommonLossOptions, PolicyLoss } from "../contracts/policy-loss.js";
import type { Verifier } from "../contracts/verifier.js";
import { isSentrlError } from "../errors.js";
import { grpoLoss } from "../losses/grpo.js";
import { LossOptionError } from "../losses/option-checks.js";
import { resolveLossOptions } from "../losses/options.js";
import { PluginDriver } from "../plugins/driver.js";
import type { Plugin, PluginStrategies } from "../plugins/types.js";
import type { TrainerConfig } from "./config.js";

/** The config fields that choose and configure the run's strategies. */
export type StrategyField =
  | "policyLoss"
  | "lossOptions"
  | "advantage"
  | "advantageOptions"
  | "reward"
  | "rewardOptions";

/** Where each strategy field sits in the config the user wrote (errors name it). */
export type StrategyFieldPaths = Record<StrategyField, string>;

export const TRAINER_STRATEGY_PATHS: StrategyFieldPaths = {
  policyLoss: "config.policyLoss",
  lossOptions: "config.lossOptions",
  advantage: "config.advantage",
  advantageOptions: "config.advantageOptions",
  reward: "config.reward",
  rewardOptions: "config.rewardOptions",
};

export interface RunStrategies {
  loss: PolicyLoss;
  /** Common loss options, `lossAggNorm` defaulted to `maxResponseTokens` for `seq-mean-token-sum-norm`. */
  commonOptions: CommonLossOptions;
  estimator: AdvantageEstimator;
  verifier: Verifier;
}

type StrategyConfig = Pick<TrainerConfig, StrategyField | "maxResponseTokens">;

/**
 * Runs `make`; a coded error becomes `CONFIG_BAD_FIELD` at `path` (a loss option's own key appended), followed by
 * its original code. For config layers that look strategies up themselves (`sentrl update`).
 *
 * @example
 * ```ts
 * import { atConfigField, grpoLoss, resolveLossOptions } from "@sentrl/core";
 * atConfigField("--config.loss.options", () => resolveLossOptions(grpoLoss, { clip: 1 }));
 * // throws CONFIG_BAD_FIELD: --config.loss.options.clip: unknown option `clip` for loss `grpo`; ... (LOSS_UNKNOWN_OPTION)
 * ```
 */
export function atConfigField<T>(path: string, make: () => T): T {
  try {
    return make();
  } catch (e) {
    if (!isSentrlError(e) || e instanceof ConfigFieldError) throw e;
    const at = e instanceof LossOptionError ? `${path}.${e.option}` : path;
    throw new ConfigFieldError(at, `${e.message} (${e.code})`, "CONFIG_BAD_FIELD", { cause: e });
  }
}

/**
 * The run's policy loss, advantage estimator and verifier, looked up by name in the driver's registries and built
 * from their options, before any work. Every error is `CONFIG_BAD_FIELD` naming the field as `paths` spell it (the
 * registry's message, listing what is registered and who provides it, and the original code follow).
 *
 * @example
 * ```ts
 * import { DEFAULT_TRAINER_CONFIG, grpoLoss, PluginDriver, resolveStrategies } from "@sentrl/core";
 * const driver = new PluginDriver([], { builtins: { policyLosses: [grpoLoss] } });
 * resolveStrategies(driver, { ...DEFAULT_TRAINER_CONFIG, lossOptions: { clip: 1 } });
 * // throws CONFIG_BAD_FIELD: config.lossOptions.clip: unknown option `clip` for loss `grpo`; ... (LOSS_UNKNOWN_OPTION)
 * ```
 */
export function resolveStrategies(
  driver: PluginDriver,
  config: StrategyConfig,
  paths: StrategyFieldPaths = TRAINER_STRATEGY_PATHS,
): RunStrategies {
  const lossDef = atConfigField(paths.policyLoss, () => driver.policyLosses.get(config.policyLoss));
  const { loss, common } = atConfigField(paths.lossOptions, () => {
    const { common, options } = resolveLossOptions(lossDef, config.lossOptions);
    return { loss: lossDef.create(options), common };
  });
  const commonOptions: CommonLossOptions = { ...common };
  if (commonOptions.lossAggMode === "seq-mean-token-sum-norm" && commonOptions.lossAggNorm === undefined) {
    commonOptions.lossAggNorm = config.maxResponseTokens;
  }
  const estimatorDef = atConfigField(paths.advantage, () => driver.advantageEstimators.get(config.advantage));
  const estimator = atConfigField(paths.advantageOptions, () => estimatorDef.create(config.advantageOptions));
  const verifierDef = atConfigField(paths.reward, () => driver.verifiers.get(config.reward));
  const verifier = atConfigField(paths.rewardOptions, () => verifierDef.create(config.rewardOptions));
  return { loss, commonOptions, estimator, verifier };
}

/**
 * The plugin driver of a trainer: core's strategies (`grpo` loss; `grpo`, `dr-grpo` estimators) and `builtins`
 * registered as `core`, then the plugins'. `createTrainer` builds its driver with it; call it to check a config's
 * strategies (with {@link resolveStrategies}) before loading a policy.
 */
export function trainerDriver(
  plugins: readonly Plugin[],
  config: Pick<TrainerConfig, "seed">,
  builtins?: PluginStrategies,
): PluginDriver {
  return new PluginDriver(plugins, {
    seed: config.seed,
    config: config as unknown as Record<string, unknown>,
    builtins: {
      policyLosses: [grpoLoss, ...(builtins?.policyLosses ?? [])],
      advantageEstimators: [...advantageEstimatorDefinitions, ...(builtins?.advantageEstimators ?? [])],
      verifiers: [...(builtins?.verifiers ?? [])],
    },
  });
}
