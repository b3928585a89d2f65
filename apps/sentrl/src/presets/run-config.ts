/**
 * The `sentrl train` run configuration: one JSON or YAML file, declared once as a schema (`RUN_CONFIG_SCHEMA`) made
 * of core's trainer fields (`TRAINER_CONFIG_FIELDS`, as they are) and the app's own (preset, epochs, policy, data,
 * curriculum, evaluation, promptTemplate, the strategies as `{name, options}`). The `RunConfig` type, the validator
 * and `sentrl train --help` all come from it. Every error names the field's path (`config.loss.options.klCovRatio:
 * ...`, `CONFIG_BAD_FIELD`) and unknown fields list the valid ones (`CONFIG_UNKNOWN_FIELD`).
 */
import {
  badField,
  checkTrainerConfig,
  configFields,
  custom,
  type Infer,
  int,
  list,
  num,
  object,
  oneOf,
  optional,
  str,
  type StrategyFieldPaths,
  tagged,
  TRAINER_CONFIG_FIELDS,
  type TrainerConfig,
} from "@sentrl/core";
import { PROMPT_TEMPLATE_NAMES } from "@sentrl/evaluators";
import { PRESET_NAMES, PRESETS, REWARD_TEMPLATES, TABULAR_TOY_EPOCHS_PER_STAGE, TABULAR_TOY_SCALE } from "./presets.js";

/** A run configuration as written (before validation). */
export type RawRunConfig = Record<string, unknown>;

const T = TRAINER_CONFIG_FIELDS;

/** A strategy chosen by name with its options: core's two fields (`policyLoss` + `lossOptions`, ...) as one object. */
const strategy = (doc: string, name: typeof T.policyLoss, options: typeof T.lossOptions) =>
  object({ name, options }, { doc });

const policyKind = <K extends string>(kind: K) => oneOf([kind] as const, { doc: "" });

// Core's trainer fields as they are (a field core adds appears here too), less the strategy fields the run config
// groups as `{name, options}` and `totalSteps`, which the run config may leave to `epochs` or the curriculum.
const {
  policyLoss: _policyLoss,
  lossOptions: _lossOptions,
  advantage: _advantage,
  advantageOptions: _advantageOptions,
  reward: _reward,
  rewardOptions: _rewardOptions,
  totalSteps: _totalSteps,
  ...trainerFields
} = T;

/** Every field of a run configuration, in the order `--help` lists them. */
export const RUN_CONFIG_FIELDS = {
  preset: optional(
    custom<string>({
      doc: "base configuration the file overrides (also --preset)",
      type: PRESET_NAMES.join(" | "),
      check: (v, path) =>
        typeof v === "string" && PRESET_NAMES.includes(v) ? v : badField(path, `one of ${PRESET_NAMES.join(", ")}`, v),
    }),
  ),
  ...trainerFields,
  totalSteps: optional(
    T.totalSteps,
    "steps to train (default: epochs × training rows / promptsPerStep, or the curriculum's steps)",
  ),
  epochs: int({ doc: "passes over the data when totalSteps is not given", min: 1, default: 1 }),
  evaluation: object(
    {
      samples: int({ doc: "answers per prompt (avg@n, pass@n)", min: 1, default: 8 }),
      temperature: num({ doc: "sampling temperature", check: (x) => x > 0, what: "> 0", default: 0.6 }),
      topP: num({ doc: "nucleus sampling", check: (x) => x > 0 && x <= 1, what: "in (0, 1]", default: 0.95 }),
      data: optional(str({ doc: "evaluation rows (.jsonl/.parquet; default: the training rows)", what: "a file" })),
    },
    { doc: "evaluation every evaluateEvery steps (docs/algorithms.md §9.2)" },
  ),
  loss: strategy("the policy loss (trainer policyLoss + lossOptions)", T.policyLoss, T.lossOptions),
  advantage: strategy(
    "the advantage estimator (trainer advantage + advantageOptions)",
    T.advantage,
    T.advantageOptions,
  ),
  reward: object(
    {
      name: T.reward,
      options: T.rewardOptions,
      module: optional(
        str({
          doc: "a module exporting a Verifier or VerifierDefinition (default or `verifier`)",
          what: "a module file",
        }),
      ),
    },
    { doc: "the reward (trainer reward + rewardOptions), or a user module" },
  ),
  promptTemplate: oneOf(PROMPT_TEMPLATE_NAMES, {
    doc: "prompt for rows without a chat prompt; must match the reward (dapo ↔ dapo, opencompass ↔ opencompass-v2/symbolic)",
    default: "dapo",
  }),
  policy: tagged(
    {
      tabular: object(
        {
          kind: policyKind("tabular"),
          golds: optional(list(str({ doc: "" }), { doc: "the toy's answers over a, b (1 or 2 letters)" })),
          prior: optional(list(num({ doc: "" }), { doc: "logit bonus toward each prompt's gold answer" })),
        },
        { doc: "" },
      ),
      model: object(
        {
          kind: policyKind("model"),
          dir: str({
            doc: "model folder (config.json, safetensors, tokenizer.json)",
            what: "the model directory (config.json + safetensors)",
          }),
        },
        { doc: "" },
      ),
    },
    { doc: "the policy: the tabular toy or a transformer folder" },
  ),
  data: optional(
    object(
      {
        train: str({ doc: "training rows (.jsonl/.parquet)", what: "a .jsonl or .parquet file" }),
        questionField: optional(str({ doc: "question column (default problem, question or prompt)" })),
        idField: optional(str({ doc: "id column (default extra_info.index, id, unique_id, idx)" })),
      },
      { doc: "training data (required with policy.kind model unless curriculum.stages)" },
    ),
  ),
  curriculum: optional(
    object(
      {
        kind: oneOf(["staged"] as const, { doc: "SENT's staged semantic-entropy curriculum" }),
        stages: optional(
          list(str({ doc: "", what: "a file" }), {
            doc: "stage files, easiest first (default: the data's stage column)",
          }),
        ),
        epochsPerStage: int({ doc: "epochs per stage", min: 1, default: 5 }),
        refPolicyPerStage: oneOf(["stageInit", "theta0"] as const, {
          doc: "π_ref at each stage start: the policy then, or the initial one",
          default: "stageInit",
        }),
      },
      { doc: "curriculum (null removes a preset's)" },
    ),
  ),
};

export const RUN_CONFIG_SCHEMA = configFields(RUN_CONFIG_FIELDS);

/** A validated run configuration (a plain JSON object: it is saved as run-config.json). */
export type RunConfig = Infer<typeof RUN_CONFIG_SCHEMA>;
export type NamedStrategy = RunConfig["loss"];

type Input<T> = T extends readonly unknown[] ? T : T extends object ? { [K in keyof T]?: Input<T[K]> | null } : T;
/** A run configuration as a file or a preset writes it: any field may be left out (or null: remove the base's). */
export type RunConfigInput = Input<RunConfig>;
export type PolicySpec = RunConfig["policy"];
export type CurriculumSpec = NonNullable<RunConfig["curriculum"]>;

/** Where the trainer's strategy fields sit in a run configuration (errors name them so). */
export const RUN_STRATEGY_PATHS: StrategyFieldPaths = {
  policyLoss: "config.loss.name",
  lossOptions: "config.loss.options",
  advantage: "config.advantage.name",
  advantageOptions: "config.advantage.options",
  reward: "config.reward.name",
  rewardOptions: "config.reward.options",
};

/**
 * The trainer's config of a run: the run config's trainer fields as they are, the strategies unfolded, and the
 * step count the app derived.
 */
export function trainerConfigOf(rc: RunConfig, totalSteps: number): TrainerConfig {
  const { preset, epochs, evaluation, loss, advantage, reward, promptTemplate, policy, data, curriculum, ...trainer } =
    rc;
  return {
    ...trainer,
    totalSteps,
    policyLoss: loss.name,
    lossOptions: loss.options,
    advantage: advantage.name,
    advantageOptions: advantage.options,
    reward: reward.name,
    rewardOptions: reward.options,
  };
}

const STRATEGY_FIELDS = new Set(["loss", "advantage", "reward"]);
const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/** Deep merge: objects merge, arrays and scalars replace; a strategy whose `name` changes replaces its options. */
export function mergeRunConfig(base: RawRunConfig, over: RawRunConfig): RawRunConfig {
  const out: RawRunConfig = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const prev = out[key];
    if (value === null) {
      delete out[key];
    } else if (isObject(value) && isObject(prev)) {
      const renamed = STRATEGY_FIELDS.has(key) && value.name !== undefined && value.name !== prev.name;
      out[key] = renamed ? { ...value } : mergeRunConfig(prev, value);
    } else {
      out[key] = value;
    }
  }
  return out;
}

/**
 * Validates a run configuration (after applying its preset, and for a tabular policy the toy scale, as bases).
 *
 * @example
 * ```ts
 * const rc = resolveRunConfig({ preset: "grpo", policy: { kind: "tabular" }, totalSteps: 100 });
 * rc.loss; // { name: "grpo", options: { useKlLoss: true, klLossCoef: 0.001, ... } }
 * ```
 */
export function resolveRunConfig(raw: RawRunConfig, options: { preset?: string } = {}): RunConfig {
  if (!isObject(raw)) badField("config", "an object", raw);
  const presetName = options.preset ?? (raw.preset as string | undefined);
  if (presetName !== undefined && !PRESET_NAMES.includes(presetName)) {
    badField(
      options.preset !== undefined ? "--preset" : "config.preset",
      `one of ${PRESET_NAMES.join(", ")}`,
      presetName,
    );
  }
  const tabular = isObject(raw.policy) && raw.policy.kind === "tabular";
  let merged: RawRunConfig = presetName ? structuredClone(PRESETS[presetName].config) : {};
  if (tabular) {
    merged = mergeRunConfig(merged, TABULAR_TOY_SCALE);
    if (isObject(merged.curriculum))
      merged.curriculum = { ...merged.curriculum, epochsPerStage: TABULAR_TOY_EPOCHS_PER_STAGE };
  }
  merged = mergeRunConfig(merged, raw);
  if (presetName !== undefined) merged.preset = presetName;
  const rc = RUN_CONFIG_SCHEMA.parse(merged, "config");
  checkRunConfig(rc);
  return rc;
}

/** The rules across fields (each field's own checks are the schema's). */
function checkRunConfig(rc: RunConfig): void {
  checkTrainerConfig(rc, "config");
  const policy = rc.policy;
  if (policy.kind === "tabular") {
    if (policy.golds && !policy.golds.every((g) => /^[ab]{1,2}$/.test(g)))
      badField("config.policy.golds", 'a non-empty list of answers over "a" and "b" of 1 or 2 letters', policy.golds);
    if (rc.data !== undefined)
      badField(
        "config.data",
        "no data with the tabular toy policy (it trains on its own toy task); remove config.data",
      );
    if (rc.curriculum?.stages !== undefined)
      badField(
        "config.curriculum.stages",
        "no stage files with the tabular toy policy (its stages are the answer lengths)",
      );
    if (rc.evaluation.data !== undefined)
      badField("config.evaluation.data", "no data with the tabular toy policy (it evaluates on its own prompts)");
    if (rc.reward.name !== "exact" && !rc.reward.module)
      badField(
        "config.reward.name",
        '"exact" with the tabular toy policy (its answers are strings over a, b)',
        rc.reward.name,
      );
  } else if (rc.data === undefined && rc.curriculum?.stages === undefined) {
    badField(
      "config.data.train",
      'a .jsonl or .parquet training file (required with policy.kind "model" unless curriculum.stages)',
    );
  }
  // A reward reads the answer where its prompt template asks for it (the dapo reward needs the DAPO prompt).
  const templates = REWARD_TEMPLATES[rc.reward.name];
  if (!rc.reward.module && templates && !templates.includes(rc.promptTemplate)) {
    badField(
      "config.promptTemplate",
      `${templates.map((t) => `"${t}"`).join(" or ")} with reward "${rc.reward.name}" (the reward reads the answer ` +
        "where that template asks for it; change both together)",
      rc.promptTemplate,
    );
  }
}
