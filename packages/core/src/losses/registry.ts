import type { PolicyLossDefinition } from "../contracts/policy-loss.js";
import { StrategyRegistry } from "../plugins/strategy-registry.js";

/** A policy-loss registry: the `policyLoss` kind of the one {@link StrategyRegistry}. */
export type PolicyLossRegistry = StrategyRegistry<PolicyLossDefinition>;

/**
 * A `policyLoss` {@link StrategyRegistry} holding `defs` (owner `owner`), for code that needs no driver. Two
 * definitions with one name throw `STRATEGY_DUPLICATE`; an unknown name `STRATEGY_UNKNOWN`.
 *
 * @example
 * ```ts
 * import { createPolicyLossRegistry, grpoLoss } from "@sentrl/core";
 * const registry = createPolicyLossRegistry([grpoLoss]);
 * registry.get("grpo").defaults.clipRatio; // 0.2
 * ```
 */
export function createPolicyLossRegistry(
  // biome-ignore lint/suspicious/noExplicitAny: definitions of any option type are registered together
  defs: readonly PolicyLossDefinition<any>[],
  owner = "core",
): PolicyLossRegistry {
  const registry = new StrategyRegistry<PolicyLossDefinition>("policyLoss");
  for (const def of defs) registry.register(def as PolicyLossDefinition, owner);
  return registry;
}
