/**
 * Turns a validated run configuration into what `createTrainer` takes: policy, rows, plugins (every package's
 * losses, the verifiers, a user verifier module, the staged curriculum) and the trainer config. Every file is checked
 * and every strategy name and option resolved here, before any training work.
 */
import { stat } from "node:fs/promises";
import { isAbsolute, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import {
  deriveSeed,
  type DatasetRow,
  type Plugin,
  type Policy,
  resolveStrategies,
  SentrlError,
  type TrainerConfig,
  trainerDriver,
  type Verifier,
  type VerifierDefinition,
} from "@sentrl/core";
import { TOY_GOLDS } from "@sentrl/testing";
import { type StagedCurriculumPlugin, stagedCurriculum, stagesFromRows } from "@sentrl/curriculum";
import { entropyBaselinesPlugin } from "@sentrl/entropy-baselines";
import { checkerVerifiers } from "@sentrl/evaluators";
import { tokenEntropyKlPlugin } from "@sentrl/token-entropy-kl";
import { RUN_STRATEGY_PATHS, type RunConfig, trainerConfigOf } from "./run-config.js";
import { toyRows, toySemanticEntropyStages, toyTabularPolicy } from "./toy-task.js";

export interface PreparedRun {
  policy: Policy;
  rows: DatasetRow[];
  plugins: Plugin[];
  config: TrainerConfig;
  curriculum?: StagedCurriculumPlugin;
  /** The curriculum's stages (rows, easiest first), when it has any. */
  stages?: DatasetRow[][];
  /** Evaluation for `evaluateEvery`: avg@n, pass@n and mean reward of `evaluation.samples` answers per prompt. */
  evaluate: (event: { step: number }) => Promise<Record<string, number>>;
}

const bad = (path: string, message: string): never => {
  throw new SentrlError("CONFIG_BAD_FIELD", `${path}: ${message}`);
};

/**
 * Rewards of the app: `@sentrl/evaluators`' answer checkers (dapo: +1/−1 as verl's math_dapo; others 1/0) and the
 * toy's `exact`.
 */
export function builtinVerifiers(): VerifierDefinition[] {
  return [
    ...checkerVerifiers(),
    {
      name: "exact",
      description: "1 when the response equals the gold (the toy task), else 0",
      create: () => ({
        name: "exact",
        score: (response, sample) => {
          const golds = Array.isArray(sample.gold) ? sample.gold : [sample.gold];
          const correct = golds.includes(response);
          return { reward: correct ? 1 : 0, correct, extracted: response };
        },
      }),
    },
  ];
}

/** The plugins of every sentrl loss package (core's `grpo` is a built-in of `trainerDriver`). */
export function lossPlugins(): Plugin[] {
  return [tokenEntropyKlPlugin(), entropyBaselinesPlugin()];
}

async function mustExist(path: string, field: string, what: string): Promise<void> {
  const ok = await stat(path).then(
    () => true,
    () => false,
  );
  if (!ok) throw new SentrlError("CONFIG_FILE_NOT_FOUND", `${field}: ${what} ${path} does not exist; fix the path`);
}

/** Loads a user verifier module: its default export (or `verifier`) is a Verifier or a VerifierDefinition. */
async function loadVerifierModule(file: string, name: string): Promise<VerifierDefinition> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (e) {
    throw new SentrlError("CONFIG_BAD_FIELD", `config.reward.module: cannot load ${file}: ${(e as Error).message}`);
  }
  const v = (mod.default ?? mod.verifier) as Partial<Verifier & VerifierDefinition> | undefined;
  if (v && typeof v.create === "function") return { ...(v as VerifierDefinition), name };
  if (v && typeof v.score === "function") return { name, create: () => v as Verifier };
  return bad(
    "config.reward.module",
    `${file} must export (default or \`verifier\`) an object with score(response, row) or create(options)`,
  );
}

/**
 * Checks files, resolves strategies and options (errors point at the field), builds the policy and plugins.
 * `baseDir`: relative paths in the config are relative to it (the config file's directory).
 */
export async function prepareRun(
  rc: RunConfig,
  baseDir: string,
  options: { backend?: string } = {},
): Promise<PreparedRun> {
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(baseDir, p));
  // 1. Files first: nothing is loaded or trained when one is missing.
  if (rc.data) await mustExist(abs(rc.data.train), "config.data.train", "training data");
  for (const [i, f] of (rc.curriculum?.stages ?? []).entries())
    await mustExist(abs(f), `config.curriculum.stages[${i}]`, "stage file");
  if (rc.reward.module) await mustExist(abs(rc.reward.module), "config.reward.module", "verifier module");
  if (rc.policy.kind === "model") await mustExist(abs(rc.policy.dir), "config.policy.dir", "model directory");
  if (rc.evaluation.data) await mustExist(abs(rc.evaluation.data), "config.evaluation.data", "evaluation data");

  // 2. The reward (a user module replaces a built-in of its name); strategies are checked below, with the plugins.
  const verifiers = builtinVerifiers();
  if (rc.reward.module) {
    const def = await loadVerifierModule(abs(rc.reward.module), rc.reward.name);
    verifiers.splice(0, verifiers.length, ...verifiers.filter((v) => v.name !== def.name), def);
  }
  const plugins: Plugin[] = [...lossPlugins(), { name: "sentrl-rewards", verifiers }];
  // Every strategy name and option, as createTrainer will resolve them (errors name the run config's field).
  const { verifier } = resolveStrategies(trainerDriver(plugins, rc), trainerConfigOf(rc, 1), RUN_STRATEGY_PATHS);

  // 3. The policy and its rows.
  let policy: Policy;
  let rows: DatasetRow[];
  let evalRows: DatasetRow[] | undefined;
  let stageRows: DatasetRow[][] | undefined;
  if (rc.policy.kind === "model") {
    const readOptions = {
      promptTemplate: rc.promptTemplate,
      questionField: rc.data?.questionField,
      idField: rc.data?.idField,
    };
    const { loadModelPolicy, readTrainingRows } = await import("./model-run.js");
    if (rc.curriculum?.stages) {
      stageRows = [];
      for (const f of rc.curriculum.stages) stageRows.push(await readTrainingRows(abs(f), readOptions));
      rows = stageRows.flat();
    } else {
      rows = await readTrainingRows(abs(rc.data!.train), readOptions);
    }
    // A curriculum over one data file reads its `stage` column (written by `sentrl curriculum build`).
    if (rc.curriculum && !stageRows) stageRows = stagesFromRows(rows as (DatasetRow & { stage: number })[]);
    if (rc.evaluation.data) evalRows = await readTrainingRows(abs(rc.evaluation.data), readOptions);
    policy = await loadModelPolicy(abs(rc.policy.dir), options.backend);
  } else {
    const golds = rc.policy.golds ?? [...TOY_GOLDS];
    rows = toyRows(golds);
    const maxLen = Math.max(...golds.map((g) => g.length));
    if (rc.policy.prior && rc.policy.prior.length !== golds.length)
      bad("config.policy.prior", `one number per gold (${golds.length}), got ${rc.policy.prior.length}`);
    const tabular = toyTabularPolicy(golds, rc.policy.prior);
    policy = tabular;
    if (rc.maxResponseTokens > maxLen + 1)
      bad("config.maxResponseTokens", `at most ${maxLen + 1} with the tabular toy policy, got ${rc.maxResponseTokens}`);
    if (rc.curriculum) {
      // SENT's curriculum in miniature, from the initial policy's own samples (before any training).
      stageRows = (
        await toySemanticEntropyStages(tabular, rows, {
          temperature: rc.temperature,
          maxTokens: rc.maxResponseTokens,
          seed: rc.seed,
        })
      ).stages;
    }
  }
  if (rows.length < rc.promptsPerStep)
    bad("config.promptsPerStep", `at most the ${rows.length} training problems, got ${rc.promptsPerStep}`);

  // 4. The curriculum plugin, before the others.
  let curriculum: StagedCurriculumPlugin | undefined;
  if (rc.curriculum) {
    curriculum = stagedCurriculum({
      stages: stageRows!,
      epochsPerStage: rc.curriculum.epochsPerStage,
      refPolicyPerStage: rc.curriculum.refPolicyPerStage,
      batchSize: rc.promptsPerStep,
      seed: rc.seed,
    });
    plugins.unshift(curriculum);
  }
  const totalSteps =
    rc.totalSteps ??
    (curriculum
      ? curriculum.api.stepsPerStage(rc.promptsPerStep).reduce((a, b) => a + b, 0)
      : Math.floor(rows.length / rc.promptsPerStep) * rc.epochs);

  const config = trainerConfigOf(rc, totalSteps);
  const evaluate = (event: { step: number }) =>
    evaluatePolicy(policy, verifier, evalRows ?? rows, {
      ...rc.evaluation,
      maxTokens: rc.maxResponseTokens,
      seed: deriveSeed(rc.seed, event.step, "evaluate"),
    });
  return { policy, rows, plugins, config, curriculum, stages: curriculum ? stageRows : undefined, evaluate };
}

/**
 * avg@n (mean correctness), pass@n (share of prompts with a correct answer) and the mean reward of `samples`
 * answers per prompt, as `val/avg@n`, `val/pass@n`, `val/score/mean`.
 */
export async function evaluatePolicy(
  policy: Policy,
  verifier: Verifier,
  rows: readonly DatasetRow[],
  o: { samples: number; temperature: number; topP: number; maxTokens: number; seed: number },
): Promise<Record<string, number>> {
  const rollouts = await policy.rollout(
    rows.map((r) => (typeof r.prompt === "string" ? { id: r.id, text: r.prompt } : { id: r.id, messages: r.prompt })),
    { n: o.samples, temperature: o.temperature, topP: o.topP, maxTokens: o.maxTokens, seed: o.seed },
  );
  let correct = 0;
  let reward = 0;
  let solved = 0;
  rollouts.forEach((r, i) => {
    let any = false;
    for (const c of r.completions) {
      const s = verifier.score(c.text, rows[i]);
      reward += s.reward;
      if (s.correct) {
        correct++;
        any = true;
      }
    }
    if (any) solved++;
  });
  const n = rows.length * o.samples;
  return {
    [`val/avg@${o.samples}`]: correct / n,
    [`val/pass@${o.samples}`]: solved / rows.length,
    "val/score/mean": reward / n,
  };
}
