import { SentrlError } from "../errors.js";
import { type GrpoAdvantageOptions, grpoAdvantages } from "./grpo.js";

/** An outcome-advantage estimator: one scalar reward per response and a group id per response → one advantage each. */
export interface AdvantageEstimator {
  readonly name: string;
  compute(rewards: ArrayLike<number>, groups: ArrayLike<string | number>): Float64Array;
}

/**
 * A named, configurable advantage estimator (the `advantage` strategy; `sentrl advantages --estimator`).
 * `defaults` lists every option key it accepts.
 */
export interface AdvantageEstimatorDefinition<O extends Record<string, unknown> = Record<string, unknown>> {
  readonly name: string;
  readonly description: string;
  readonly defaults: O;
  /** Validates options (throws `ADV_BAD_OPTION`, or `ADV_UNKNOWN_OPTION` for an unknown key) and builds it. */
  create(options: Partial<O>): AdvantageEstimator;
}

type GrpoDefaults = { normAdvByStd: boolean; epsilon: number };

function makeGrpoDefinition(
  name: string,
  description: string,
  defaults: GrpoDefaults,
): AdvantageEstimatorDefinition<GrpoDefaults> {
  return {
    name,
    description,
    defaults,
    create(options) {
      for (const key of Object.keys(options)) {
        if (!(key in defaults)) {
          throw new SentrlError(
            "ADV_UNKNOWN_OPTION",
            `unknown option \`${key}\` for estimator \`${name}\`; valid options: ${Object.keys(defaults).join(", ")}`,
          );
        }
      }
      const resolved: GrpoAdvantageOptions = {
        normAdvByStd: options.normAdvByStd ?? defaults.normAdvByStd,
        epsilon: options.epsilon ?? defaults.epsilon,
      };
      grpoAdvantages([], [], resolved); // validates the options now, not at the first call
      return { name, compute: (rewards, groups) => grpoAdvantages(rewards, groups, resolved) };
    },
  };
}

/**
 * `grpo`: group-normalised advantages (docs/algorithms.md §6.2), options `normAdvByStd` (true) and `epsilon` (1e-6).
 *
 * @example
 * ```ts
 * import { grpoAdvantageEstimator } from "@sentrl/core";
 * grpoAdvantageEstimator.create({}).compute([1, 0], ["q1", "q1"]); // ≈ [0.7071, -0.7071]
 * ```
 */
export const grpoAdvantageEstimator = makeGrpoDefinition(
  "grpo",
  "GRPO: reward minus the group mean, divided by the group's unbiased std + epsilon",
  { normAdvByStd: true, epsilon: 1e-6 },
);

/**
 * `dr-grpo`: Dr.GRPO, i.e. `grpo` with `normAdvByStd: false` (reward minus the group mean).
 *
 * @example
 * ```ts
 * import { drGrpoAdvantageEstimator } from "@sentrl/core";
 * drGrpoAdvantageEstimator.create({}).compute([1, 0], [0, 0]); // [0.5, -0.5]
 * ```
 */
export const drGrpoAdvantageEstimator = makeGrpoDefinition(
  "dr-grpo",
  "Dr.GRPO: reward minus the group mean (no std division)",
  {
    normAdvByStd: false,
    epsilon: 1e-6,
  },
);

/** The advantage estimators core ships, in registration order. */
export const advantageEstimatorDefinitions: readonly AdvantageEstimatorDefinition[] = [
  grpoAdvantageEstimator as unknown as AdvantageEstimatorDefinition,
  drGrpoAdvantageEstimator as unknown as AdvantageEstimatorDefinition,
];
