/**
 * The `sentrl train` run configuration: one JSON or YAML file, validated field by field. Every error names the
 * field's path (`config.loss.options.klCovRatio: ...`) and what to write instead; unknown fields list the valid ones.
 */
import { SentrlError } from "@sentrl/core";
import { PRESET_NAMES, PRESETS, REWARD_TEMPLATES, TABULAR_TOY_EPOCHS_PER_STAGE, TABULAR_TOY_SCALE } from "./presets.js";

/** A run configuration as written (before validation). */
export type RawRunConfig = Record<string, unknown>;

export interface NamedStrategy {
  name: string;
  options: Record<string, unknown>;
}

export type PolicySpec = { kind: "tabular"; golds?: string[]; prior?: number[] } | { kind: "model"; dir: string };

export interface CurriculumSpec {
  kind: "staged";
  /** Stage files (JSONL/Parquet), easiest first; default: the data's `stage` column (the toy: answer length). */
  stages?: string[];
  epochsPerStage: number;
  refPolicyPerStage: "stageInit" | "theta0";
}

/** A validated run configuration. */
export interface RunConfig {
  preset?: string;
  seed: number;
  totalSteps?: number;
  epochs: number;
  promptsPerStep: number;
  groupSize: number;
  miniBatchPrompts: number;
  microBatchSize: number;
  ppoEpochs: number;
  shuffle: boolean;
  temperature: number;
  topP: number;
  topK?: number;
  maxResponseTokens: number;
  selectionScope?: "microBatch" | "miniBatch";
  microBatchCombination?: "microBatchMean" | "globalTokenMean";
  checkpointEvery: number;
  evaluateEvery?: number;
  /** Evaluation every `evaluateEvery` steps: `samples` answers per prompt at `temperature`/`topP` (docs/algorithms.md §9.2). */
  evaluation: { samples: number; temperature: number; topP: number; data?: string };
  zeroVarianceWarnSteps?: number;
  optimizer: Record<string, unknown>;
  loss: NamedStrategy;
  advantage: NamedStrategy;
  reward: NamedStrategy & { module?: string };
  promptTemplate: string;
  policy: PolicySpec;
  data?: { train: string; questionField?: string; idField?: string };
  curriculum?: CurriculumSpec;
}

const fail = (path: string, what: string, got?: unknown): never => {
  const shown = got === undefined ? "" : `, got ${JSON.stringify(got) ?? String(got)}`;
  throw new SentrlError("CONFIG_BAD_FIELD", `${path}: expected ${what}${shown}`);
};

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

function obj(v: unknown, path: string): Record<string, unknown> {
  if (!isObject(v)) fail(path, "an object", v);
  return v as Record<string, unknown>;
}

function onlyKeys(o: Record<string, unknown>, path: string, valid: readonly string[]): void {
  for (const key of Object.keys(o)) {
    if (!valid.includes(key))
      throw new SentrlError("CONFIG_UNKNOWN_FIELD", `${path}.${key}: unknown field; valid fields: ${valid.join(", ")}`);
  }
}

function int(v: unknown, path: string, min: number): number {
  if (!(typeof v === "number" && Number.isInteger(v) && v >= min)) fail(path, `an integer ≥ ${min}`, v);
  return v as number;
}

function num(v: unknown, path: string, ok: (x: number) => boolean, what: string): number {
  if (!(typeof v === "number" && Number.isFinite(v) && ok(v))) fail(path, what, v);
  return v as number;
}

function str(v: unknown, path: string, what = "a non-empty string"): string {
  if (!(typeof v === "string" && v.length > 0)) fail(path, what, v);
  return v as string;
}

function oneOf<T extends string>(v: unknown, path: string, allowed: readonly T[]): T {
  if (!allowed.includes(v as T)) fail(path, `one of ${allowed.map((a) => `"${a}"`).join(", ")}`, v);
  return v as T;
}

function strategy(v: unknown, path: string, extra: readonly string[] = []): NamedStrategy & Record<string, unknown> {
  const o = obj(v, path);
  onlyKeys(o, path, ["name", "options", ...extra]);
  const options = o.options === undefined ? {} : obj(o.options, `${path}.options`);
  return { ...o, name: str(o.name, `${path}.name`, "a strategy name"), options };
}

const TOP_LEVEL = [
  "preset",
  "seed",
  "totalSteps",
  "epochs",
  "promptsPerStep",
  "groupSize",
  "miniBatchPrompts",
  "microBatchSize",
  "ppoEpochs",
  "shuffle",
  "temperature",
  "topP",
  "topK",
  "maxResponseTokens",
  "selectionScope",
  "microBatchCombination",
  "checkpointEvery",
  "evaluateEvery",
  "evaluation",
  "zeroVarianceWarnSteps",
  "optimizer",
  "loss",
  "advantage",
  "reward",
  "promptTemplate",
  "policy",
  "data",
  "curriculum",
] as const;

const OPTIMIZER_KEYS = ["lr", "betas", "eps", "weightDecay", "maxGradNorm"];
const STRATEGY_FIELDS = new Set(["loss", "advantage", "reward"]);

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
  onlyKeys(obj(raw, "config"), "config", TOP_LEVEL);
  const presetName = options.preset ?? (raw.preset as string | undefined);
  if (presetName !== undefined && !PRESET_NAMES.includes(presetName)) {
    fail(options.preset !== undefined ? "--preset" : "config.preset", `one of ${PRESET_NAMES.join(", ")}`, presetName);
  }
  const policyRaw = raw.policy === undefined ? undefined : obj(raw.policy, "config.policy");
  const tabular = policyRaw?.kind === "tabular";
  let merged: RawRunConfig = presetName ? structuredClone(PRESETS[presetName].config) : {};
  if (tabular) {
    merged = mergeRunConfig(merged, TABULAR_TOY_SCALE);
    if (isObject(merged.curriculum))
      merged.curriculum = { ...merged.curriculum, epochsPerStage: TABULAR_TOY_EPOCHS_PER_STAGE };
  }
  merged = mergeRunConfig(merged, raw);
  return validateRunConfig(merged, presetName);
}

function evaluationOf(v: unknown, kind: "tabular" | "model"): RunConfig["evaluation"] {
  const path = "config.evaluation";
  const e = obj(v ?? {}, path);
  onlyKeys(e, path, ["samples", "temperature", "topP", "data"]);
  const out: RunConfig["evaluation"] = {
    samples: int(e.samples ?? 8, `${path}.samples`, 1),
    temperature: num(e.temperature ?? 0.6, `${path}.temperature`, (x) => x > 0, "a number > 0"),
    topP: num(e.topP ?? 0.95, `${path}.topP`, (x) => x > 0 && x <= 1, "a number in (0, 1]"),
  };
  if (e.data !== undefined) {
    if (kind === "tabular")
      fail(`${path}.data`, "no data with the tabular toy policy (it evaluates on its own prompts)");
    out.data = str(e.data, `${path}.data`, "a .jsonl or .parquet file");
  }
  return out;
}

function validateRunConfig(c: RawRunConfig, preset: string | undefined): RunConfig {
  const p = (k: string) => `config.${k}`;
  const required = (k: string) => {
    if (c[k] === undefined) fail(p(k), preset ? "a value" : "a value (or use a preset: --preset sent)");
    return c[k];
  };
  const optionalInt = (k: string, min: number) => (c[k] === undefined ? undefined : int(c[k], p(k), min));
  const optimizer = obj(c.optimizer ?? {}, p("optimizer"));
  onlyKeys(optimizer, p("optimizer"), OPTIMIZER_KEYS);
  if (optimizer.lr !== undefined) num(optimizer.lr, p("optimizer.lr"), (x) => x >= 0, "a number ≥ 0");
  if (
    optimizer.betas !== undefined &&
    !(
      Array.isArray(optimizer.betas) &&
      optimizer.betas.length === 2 &&
      optimizer.betas.every((b) => typeof b === "number" && b >= 0 && b < 1)
    )
  )
    fail(p("optimizer.betas"), "two numbers in [0, 1)", optimizer.betas);
  if (optimizer.eps !== undefined) num(optimizer.eps, p("optimizer.eps"), (x) => x >= 0, "a number ≥ 0");
  if (optimizer.weightDecay !== undefined)
    num(optimizer.weightDecay, p("optimizer.weightDecay"), (x) => x >= 0, "a number ≥ 0");
  if (optimizer.maxGradNorm !== undefined)
    num(optimizer.maxGradNorm, p("optimizer.maxGradNorm"), () => true, "a number (≤ 0: no clipping)");

  const policyObj = obj(required("policy"), p("policy"));
  const kind = oneOf(policyObj.kind, p("policy.kind"), ["tabular", "model"] as const);
  let policy: PolicySpec;
  if (kind === "tabular") {
    onlyKeys(policyObj, p("policy"), ["kind", "golds", "prior"]);
    const golds = policyObj.golds;
    if (
      golds !== undefined &&
      !(Array.isArray(golds) && golds.length > 0 && golds.every((g) => typeof g === "string" && /^[ab]{1,2}$/.test(g)))
    )
      fail(p("policy.golds"), 'a non-empty list of answers over "a" and "b" of 1 or 2 letters', golds);
    const prior = policyObj.prior;
    if (
      prior !== undefined &&
      !(Array.isArray(prior) && prior.every((x) => typeof x === "number" && Number.isFinite(x)))
    )
      fail(p("policy.prior"), "a list of numbers (logit bonus toward each prompt's gold answer)", prior);
    policy = { kind, golds: golds as string[] | undefined, prior: prior as number[] | undefined };
  } else {
    onlyKeys(policyObj, p("policy"), ["kind", "dir"]);
    policy = { kind, dir: str(policyObj.dir, p("policy.dir"), "the model directory (config.json + safetensors)") };
  }

  let data: RunConfig["data"];
  if (c.data !== undefined && kind === "tabular") {
    fail(p("data"), "no data with the tabular toy policy (it trains on its own toy task); remove config.data");
  }
  if (c.curriculum !== undefined && isObject(c.curriculum) && c.curriculum.stages !== undefined && kind === "tabular") {
    fail(p("curriculum.stages"), "no stage files with the tabular toy policy (its stages are the answer lengths)");
  }
  if (c.data !== undefined) {
    const d = obj(c.data, p("data"));
    onlyKeys(d, p("data"), ["train", "questionField", "idField"]);
    data = { train: str(d.train, p("data.train"), "a .jsonl or .parquet file") };
    if (d.questionField !== undefined) data.questionField = str(d.questionField, p("data.questionField"));
    if (d.idField !== undefined) data.idField = str(d.idField, p("data.idField"));
  } else if (kind === "model" && !(isObject(c.curriculum) && c.curriculum.stages !== undefined)) {
    fail(
      p("data.train"),
      'a .jsonl or .parquet training file (required with policy.kind "model" unless curriculum.stages)',
    );
  }

  let curriculum: CurriculumSpec | undefined;
  if (c.curriculum !== undefined) {
    const cu = obj(c.curriculum, p("curriculum"));
    onlyKeys(cu, p("curriculum"), ["kind", "stages", "epochsPerStage", "refPolicyPerStage"]);
    curriculum = {
      kind: oneOf(cu.kind, p("curriculum.kind"), ["staged"] as const),
      epochsPerStage: int(cu.epochsPerStage ?? 5, p("curriculum.epochsPerStage"), 1),
      refPolicyPerStage: oneOf(cu.refPolicyPerStage ?? "stageInit", p("curriculum.refPolicyPerStage"), [
        "stageInit",
        "theta0",
      ] as const),
    };
    if (cu.stages !== undefined) {
      if (!(Array.isArray(cu.stages) && cu.stages.length > 0))
        fail(p("curriculum.stages"), "a list of stage files, easiest first", cu.stages);
      curriculum.stages = (cu.stages as unknown[]).map((s, i) => str(s, `${p("curriculum.stages")}[${i}]`, "a file"));
    }
  }

  const reward = strategy(required("reward"), p("reward"), ["module"]);
  const rc: RunConfig = {
    preset,
    seed: int(c.seed ?? 1, p("seed"), 0),
    totalSteps: optionalInt("totalSteps", 1),
    epochs: int(c.epochs ?? 1, p("epochs"), 1),
    promptsPerStep: int(required("promptsPerStep"), p("promptsPerStep"), 1),
    groupSize: int(required("groupSize"), p("groupSize"), 1),
    miniBatchPrompts: int(c.miniBatchPrompts ?? c.promptsPerStep, p("miniBatchPrompts"), 1),
    microBatchSize: int(c.microBatchSize ?? 4, p("microBatchSize"), 1),
    ppoEpochs: int(c.ppoEpochs ?? 1, p("ppoEpochs"), 1),
    shuffle: c.shuffle === undefined ? true : (c.shuffle as boolean),
    temperature: num(c.temperature ?? 1, p("temperature"), (x) => x > 0, "a number > 0"),
    topP: num(c.topP ?? 1, p("topP"), (x) => x > 0 && x <= 1, "a number in (0, 1]"),
    topK: optionalInt("topK", 1),
    maxResponseTokens: int(required("maxResponseTokens"), p("maxResponseTokens"), 1),
    checkpointEvery: int(c.checkpointEvery ?? 0, p("checkpointEvery"), 0),
    evaluateEvery: optionalInt("evaluateEvery", 0),
    evaluation: evaluationOf(c.evaluation, kind),
    zeroVarianceWarnSteps: optionalInt("zeroVarianceWarnSteps", 0),
    optimizer,
    loss: strategy(required("loss"), p("loss")),
    advantage: c.advantage === undefined ? { name: "grpo", options: {} } : strategy(c.advantage, p("advantage")),
    reward: {
      name: reward.name,
      options: reward.options,
      ...(reward.module !== undefined ? { module: str(reward.module, p("reward.module"), "a module file") } : {}),
    },
    promptTemplate: oneOf(required("promptTemplate"), p("promptTemplate"), ["dapo", "opencompass", "raw"] as const),
    policy,
    data,
    curriculum,
  };
  if (typeof rc.shuffle !== "boolean") fail(p("shuffle"), "true or false", c.shuffle);
  if (c.selectionScope !== undefined)
    rc.selectionScope = oneOf(c.selectionScope, p("selectionScope"), ["microBatch", "miniBatch"] as const);
  if (c.microBatchCombination !== undefined)
    rc.microBatchCombination = oneOf(c.microBatchCombination, p("microBatchCombination"), [
      "microBatchMean",
      "globalTokenMean",
    ] as const);
  if (rc.miniBatchPrompts > rc.promptsPerStep)
    fail(p("miniBatchPrompts"), `at most promptsPerStep (${rc.promptsPerStep})`, rc.miniBatchPrompts);
  // A reward reads the answer where its prompt template asks for it (the dapo reward needs the DAPO prompt).
  const templates = REWARD_TEMPLATES[rc.reward.name];
  if (!rc.reward.module && templates && !templates.includes(rc.promptTemplate)) {
    fail(
      p("promptTemplate"),
      `${templates.map((t) => `"${t}"`).join(" or ")} with reward "${rc.reward.name}" (the reward reads the answer ` +
        "where that template asks for it; change both together)",
      rc.promptTemplate,
    );
  }
  if (kind === "tabular" && rc.reward.name !== "exact" && !rc.reward.module)
    fail(p("reward.name"), '"exact" with the tabular toy policy (its answers are strings over a, b)', rc.reward.name);
  return rc;
}
