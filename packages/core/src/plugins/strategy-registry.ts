import { SentrlError } from "../errors.js";

/** The three strategies a run chooses exactly one of, by name (DESIGN.md, Hooks). */
export type StrategyKind = "policyLoss" | "advantage" | "reward";

/**
 * A per-trainer registry of named strategy definitions (policy losses, advantage estimators, verifiers), in the
 * spirit of verl's `register_policy_loss`: registering a name twice and asking for an unknown name are errors
 * (`STRATEGY_DUPLICATE`, `STRATEGY_UNKNOWN`) that list what is registered.
 *
 * @example
 * ```ts
 * import { StrategyRegistry } from "@sentrl/core";
 * const losses = new StrategyRegistry<{ name: string }>("policyLoss");
 * losses.register({ name: "grpo" }, "core");
 * losses.get("grpo");
 * losses.get("gpro"); // throws STRATEGY_UNKNOWN: unknown policyLoss "gpro"; registered: grpo
 * ```
 */
export class StrategyRegistry<D extends { readonly name: string }> {
  readonly kind: StrategyKind;
  private readonly entries = new Map<string, { definition: D; owner: string }>();

  constructor(kind: StrategyKind) {
    this.kind = kind;
  }

  /** Adds a definition; `owner` (a plugin name or `core`) appears in error messages. */
  register(definition: D, owner = "core"): this {
    const name = definition?.name;
    if (typeof name !== "string" || name.length === 0) {
      throw new SentrlError("STRATEGY_INVALID", `a ${this.kind} definition from ${owner} has no name`);
    }
    const existing = this.entries.get(name);
    if (existing) {
      throw new SentrlError(
        "STRATEGY_DUPLICATE",
        `${this.kind} "${name}" is registered twice (by ${existing.owner} and by ${owner}); rename one or drop a plugin. Registered: ${this.names().join(", ")}`,
      );
    }
    this.entries.set(name, { definition, owner });
    return this;
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  /** The definition registered under `name`; throws `STRATEGY_UNKNOWN` listing the registered names. */
  get(name: string): D {
    const entry = this.entries.get(name);
    if (!entry) {
      const known = this.names();
      throw new SentrlError(
        "STRATEGY_UNKNOWN",
        `unknown ${this.kind} "${name}"; registered: ${known.length > 0 ? known.join(", ") : "(none)"}`,
      );
    }
    return entry.definition;
  }

  /** Who registered `name` (`core` or a plugin name). */
  ownerOf(name: string): string | undefined {
    return this.entries.get(name)?.owner;
  }

  /** Registered names, sorted. */
  names(): string[] {
    return [...this.entries.keys()].sort();
  }
}
