import type { Plugin, VerifierDefinition } from "@sentrl/core";
import { checkerVerifiers } from "./checker-verifier.js";

export interface MathRewardsPlugin extends Plugin {
  readonly name: "@sentrl/evaluators";
  readonly verifiers: readonly VerifierDefinition[];
}

/**
 * The rewards `dapo` (the trainer's default `reward`), `opencompass-v2` and `symbolic` as a trainer plugin: with it,
 * `createTrainer` runs with its default config from the packages alone.
 *
 * @example
 * ```ts
 * import { PluginDriver } from "@sentrl/core";
 * import { mathRewards } from "@sentrl/evaluators";
 * const driver = new PluginDriver([mathRewards()]);
 * console.log(driver.verifiers.names()); // → ["dapo","opencompass-v2","symbolic"]
 * console.log(driver.verifiers.ownerOf("dapo")); // → "plugin \"@sentrl/evaluators\""
 * ```
 */
export function mathRewards(): MathRewardsPlugin {
  return { name: "@sentrl/evaluators", verifiers: checkerVerifiers() };
}
