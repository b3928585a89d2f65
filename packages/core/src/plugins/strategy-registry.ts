import { SentrlError } from "../errors.js";

/** The three strategies a run chooses exactly one of, by name (DESIGN.md, Hooks). */
export type StrategyKind = "policyLoss" | "advantage" | "reward";

/**
 * Where the strategies of sentrl's own packages come from: an unknown name that one of them provides says which
 * plugin to add (core cannot import them: they build on core).
 */
const PROVIDERS: Record<StrategyKind, Record<string, string>> = {
  policyLoss: {
    sent: "tokenEntropyKlPlugin() from @sentrl/token-entropy-kl",
    "sent-v1": "tokenEntropyKlPlugin() from @sentrl/token-entropy-kl",
    "kl-cov": "entropyBaselinesPlugin() from @sentrl/entropy-baselines",
    "clip-cov": "entropyBaselinesPlugin() from @sentrl/entropy-baselines",
    "high-entropy-mask": "entropyBaselinesPlugin() from @sentrl/entropy-baselines",
    "entropy-advantage": "entropyBaselinesPlugin() from @sentrl/entropy-baselines",
  },
  advantage: {},
  reward: {
    dapo: "mathRewards() from @sentrl/evaluators",
    "opencompass-v2": "mathRewards() from @sentrl/evaluators",
    symbolic: "mathRewards() from @sentrl/evaluators",
  },
};

/**
 * The one registry of named strategy definitions (policy losses, advantage estimators, verifiers), in the spirit
 * of verl's `register_policy_loss`; each trainer's driver holds one per kind. Registering a name twice
 * (`STRATEGY_DUPLICATE`) and asking for an unknown name (`STRATEGY_UNKNOWN`) are errors that list what is
 * registered and who provides each (`core` or a plugin), and for a strategy of a sentrl package, which plugin to
 * add.
 *
 * @example
 * ```ts
 * import { StrategyRegistry } from "@sentrl/core";
 * const losses = new StrategyRegistry<{ name: string }>("policyLoss");
 * losses.register({ name: "grpo" }, "core");
 * losses.get("grpo");
 * losses.get("sent"); // throws STRATEGY_UNKNOWN: unknown policyLoss "sent"; registered: grpo (core); "sent" comes with tokenEntropyKlPlugin() from @sentrl/token-entropy-kl
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

  /**
   * The definition registered under `name`; throws `STRATEGY_UNKNOWN` listing the registered names with their
   * providers.
   */
  get(name: string): D {
    const entry = this.entries.get(name);
    if (!entry) {
      const known = this.names().map((n) => `${n} (${this.entries.get(n)!.owner})`);
      const provider = PROVIDERS[this.kind][name];
      throw new SentrlError(
        "STRATEGY_UNKNOWN",
        `unknown ${this.kind} "${name}"; registered: ${known.length > 0 ? known.join(", ") : "(none)"}` +
          (provider ? `; "${name}" comes with ${provider}` : ""),
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

  /** Registered definitions, in registration order. */
  definitions(): D[] {
    return [...this.entries.values()].map((e) => e.definition);
  }
}
