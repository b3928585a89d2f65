import type { PolicyLossDefinition } from "../contracts/policy-loss.js";
import { SentrlError } from "../errors.js";

/** A name → definition table of policy losses (the `policyLoss` strategy registry). */
export interface PolicyLossRegistry {
  /** The definition named `name`; unknown names throw `LOSS_UNKNOWN` listing the registered ones. */
  get(name: string): PolicyLossDefinition;
  has(name: string): boolean;
  /** Registered names, in registration order. */
  names(): string[];
  definitions(): PolicyLossDefinition[];
}

/**
 * Builds a policy-loss registry. Two definitions with one name throw `LOSS_DUPLICATE`.
 *
 * @example
 * ```ts
 * import { createPolicyLossRegistry, grpoLoss } from "@sentrl/core";
 * const registry = createPolicyLossRegistry([grpoLoss]);
 * registry.get("grpo").defaults.clipRatio; // 0.2
 * ```
 */
// biome-ignore lint/suspicious/noExplicitAny: definitions of any option type are registered together
export function createPolicyLossRegistry(defs: readonly PolicyLossDefinition<any>[]): PolicyLossRegistry {
  const table = new Map<string, PolicyLossDefinition>();
  for (const def of defs) {
    if (table.has(def.name)) {
      throw new SentrlError(
        "LOSS_DUPLICATE",
        `two policy losses are named \`${def.name}\`; each registered name must be unique`,
      );
    }
    table.set(def.name, def as PolicyLossDefinition);
  }
  return {
    get(name) {
      const def = table.get(name);
      if (!def) {
        throw new SentrlError(
          "LOSS_UNKNOWN",
          `unknown loss \`${name}\`; registered losses: ${[...table.keys()].join(", ")}`,
        );
      }
      return def;
    },
    has: (name) => table.has(name),
    names: () => [...table.keys()],
    definitions: () => [...table.values()],
  };
}
