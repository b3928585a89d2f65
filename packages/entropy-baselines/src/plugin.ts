import type { Plugin, PolicyLossDefinition } from "@sentrl/core";
import { clipCovLoss } from "./clip-cov.js";
import { entropyAdvantageLoss } from "./entropy-advantage.js";
import { highEntropyMaskLoss } from "./high-entropy-mask.js";
import { klCovLoss } from "./kl-cov.js";

/** Every policy loss of this package, as the `sentrl loss` command and trainers' registries import them. */
// biome-ignore lint/suspicious/noExplicitAny: definitions of different option types are listed together
export const policyLossDefinitions: PolicyLossDefinition<any>[] = [
  klCovLoss,
  clipCovLoss,
  highEntropyMaskLoss,
  entropyAdvantageLoss,
];

/** The plugin object: `{ name, policyLosses }`, a core `Plugin` (pass it to `PluginDriver`). */
export interface EntropyBaselinesPlugin extends Plugin {
  name: "@sentrl/entropy-baselines";
  // biome-ignore lint/suspicious/noExplicitAny: see policyLossDefinitions
  policyLosses: PolicyLossDefinition<any>[];
}

/**
 * Plugin factory: registers `kl-cov`, `clip-cov`, `high-entropy-mask` and `entropy-advantage` as `policyLoss`
 * strategies ("w/ En", the entropy bonus, is core's `grpo` with `entropyCoeff > 0`).
 *
 * @example
 * ```ts
 * import { createPolicyLossRegistry, grpoLoss } from "@sentrl/core";
 * import { entropyBaselinesPlugin } from "@sentrl/entropy-baselines";
 * const registry = createPolicyLossRegistry([grpoLoss, ...entropyBaselinesPlugin().policyLosses]);
 * registry.names(); // ["clip-cov", "entropy-advantage", "grpo", "high-entropy-mask", "kl-cov"]
 * ```
 */
export function entropyBaselinesPlugin(): EntropyBaselinesPlugin {
  return { name: "@sentrl/entropy-baselines", policyLosses: policyLossDefinitions };
}
