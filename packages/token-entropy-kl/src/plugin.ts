import type { Plugin, PolicyLossDefinition } from "@sentrl/core";
import { sentLoss } from "./sent.js";
import { sentV1Loss } from "./sent-v1.js";

/** Every policy loss of this package, as the `sentrl loss` command and trainers' registries import them. */
// biome-ignore lint/suspicious/noExplicitAny: definitions of different option types are listed together
export const policyLossDefinitions: PolicyLossDefinition<any>[] = [sentLoss, sentV1Loss];

/** The plugin object: `{ name, policyLosses }`, a core `Plugin` (pass it to `PluginDriver`). */
export interface TokenEntropyKlPlugin extends Plugin {
  name: "@sentrl/token-entropy-kl";
  // biome-ignore lint/suspicious/noExplicitAny: see policyLossDefinitions
  policyLosses: PolicyLossDefinition<any>[];
}

/**
 * Plugin factory: registers `sent` and `sent-v1` as `policyLoss` strategies.
 *
 * @example
 * ```ts
 * import { createPolicyLossRegistry, grpoLoss } from "@sentrl/core";
 * import { tokenEntropyKlPlugin } from "@sentrl/token-entropy-kl";
 * const registry = createPolicyLossRegistry([grpoLoss, ...tokenEntropyKlPlugin().policyLosses]);
 * registry.get("sent").defaults.mode; // "code-intended"
 * ```
 */
export function tokenEntropyKlPlugin(): TokenEntropyKlPlugin {
  return { name: "@sentrl/token-entropy-kl", policyLosses: policyLossDefinitions };
}
