/**
 * Turns a validated run configuration into what `createTrainer` takes: policy, rows, plugins (every package's
 * losses, the verifiers, a user verifier module, the staged curriculum) and the trainer config. Every file is checked
 * and every strategy name and option resolved here, before any training work.
 */
import { stat } from "node:fs/promises";
import { isAbsolute, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import {
  advantageEstimatorDefinitions,
  deriveSeed,
  type DatasetRow,
  grpoLoss,
  isSentrlError,
  type Plugin,
  type Policy,
  type PolicyLossDefinition,
  resolveLossOptions,
  SentrlError,
  type TrainerConfig,
  type Verifier,
  type VerifierDefinition,
} from "@sentrl/core";
import { TOY_GOLDS } from "@sentrl/testing";
import { type StagedCurriculumPlugin, stagedCurriculum, stagesFromRows } from "@sentrl/curriculum";
import { entropyBaselinesPlugin } from "@sentrl/entropy-baselines";
import { CHECKER_NAMES, getChecker } from "@sentrl/evaluators";
import { tokenEntropyKlPlugin } from "@sentrl/token-entropy-kl";
import type { RunConfig } from "./run-config.js";
import { toyRows, toySemanticEntropyStages, toyTabularPolicy } from "./toy-task.js";

export interface PreparedRun {
  policy: Policy;
  rows: DatasetRow[];
  plugins: Plugin[];
  config: Partial<TrainerConfig>;
  curriculum?: StagedCurriculumPlugin;
  /** The curriculum's stages (rows, easiest first), when it has any. */
  stages?: DatasetRow[][];
  /** Evaluation for `evaluateEvery`: avg@n, pass@n and mean reward of `evaluation.samples` answers per prompt. */
  evaluate: (event: { step: number }) => Promise<Record<string, number>>;
}

const bad = (path: string, message: string): never => {
  throw new SentrlError("CONFIG_BAD_FIELD", `${path}: ${message}`);
};

/** Rewards of the app: the answer checkers (dapo: +1/−1 as verl's math_dapo; others 1/0) and `exact`. */
export function builtinVerifiers(): VerifierDefinition[] {
  const fromChecker = (name: string): VerifierDefinition => ({
    name,
    description: `the ${name} answer checker`,
    create: (options) => {
      const checker = getChecker(name, options ?? {});
      const wrong = name === "dapo" ? -1 : 0;
      return {
        name,
        score: (response, sample) => {
          const r = checker.check(response, sample.gold);
          return { reward: r.correct ? 1 : wrong, correct: r.correct, extracted: r.extracted };
        },
      };
    },
  });
  return [
    ...CHECKER_NAMES.map(fromChecker),
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

// biome-ignore lint/suspicious/noExplicitAny: definitions of different option types are listed together
export function allPolicyLosses(): PolicyLossDefinition<any>[] {
  return [grpoLoss, ...tokenEntropyKlPlugin().policyLosses, ...entropyBaselinesPlugin().policyLosses];
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
export async function prepareRun(rc: RunConfig, baseDir: string): Promise<PreparedRun> {
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(baseDir, p));
  // 1. Files first: nothing is loaded or trained when one is missing.
  if (rc.data) await mustExist(abs(rc.data.train), "config.data.train", "training data");
  for (const [i, f] of (rc.curriculum?.stages ?? []).entries())
    await mustExist(abs(f), `config.curriculum.stages[${i}]`, "stage file");
  if (rc.reward.module) await mustExist(abs(rc.reward.module), "config.reward.module", "verifier module");
  if (rc.policy.kind === "model") await mustExist(abs(rc.policy.dir), "config.policy.dir", "model directory");
  if (rc.evaluation.data) await mustExist(abs(rc.evaluation.data), "config.evaluation.data", "evaluation data");

  // 2. Strategies and their options.
  const losses = allPolicyLosses();
  const lossDef = losses.find((d) => d.name === rc.loss.name);
  if (!lossDef)
    bad("config.loss.name", `unknown loss "${rc.loss.name}"; valid: ${losses.map((d) => d.name).join(", ")}`);
  try {
    const { options } = resolveLossOptions(lossDef!, rc.loss.options);
    lossDef!.create(options);
  } catch (e) {
    if (!isSentrlError(e)) throw e;
    const key = /`(\w+)`/.exec(e.message)?.[1];
    const rest = e.message.replace(/^`\w+`\s*/, "");
    throw new SentrlError("CONFIG_BAD_FIELD", `config.loss.options${key ? `.${key}` : ""}: ${rest} (${e.code})`);
  }
  const adv = advantageEstimatorDefinitions.find((d) => d.name === rc.advantage.name);
  if (!adv)
    bad(
      "config.advantage.name",
      `unknown estimator "${rc.advantage.name}"; valid: ${advantageEstimatorDefinitions.map((d) => d.name).join(", ")}`,
    );
  try {
    adv!.create(rc.advantage.options);
  } catch (e) {
    if (!isSentrlError(e)) throw e;
    throw new SentrlError("CONFIG_BAD_FIELD", `config.advantage.options: ${e.message}`);
  }
  const verifiers = builtinVerifiers();
  if (rc.reward.module) {
    const def = await loadVerifierModule(abs(rc.reward.module), rc.reward.name);
    verifiers.splice(0, verifiers.length, ...verifiers.filter((v) => v.name !== def.name), def);
  } else if (!verifiers.some((v) => v.name === rc.reward.name)) {
    bad(
      "config.reward.name",
      `unknown reward "${rc.reward.name}"; valid: ${verifiers.map((v) => v.name).join(", ")}, or set config.reward.module`,
    );
  }

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
    policy = await loadModelPolicy(abs(rc.policy.dir));
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

  // 4. Plugins: every package's losses, the rewards, the curriculum.
  const plugins: Plugin[] = [tokenEntropyKlPlugin(), entropyBaselinesPlugin(), { name: "sentrl-rewards", verifiers }];
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

  const config: Partial<TrainerConfig> = {
    seed: rc.seed,
    totalSteps,
    promptsPerStep: rc.promptsPerStep,
    groupSize: rc.groupSize,
    miniBatchPrompts: rc.miniBatchPrompts,
    microBatchSize: rc.microBatchSize,
    ppoEpochs: rc.ppoEpochs,
    shuffle: rc.shuffle,
    temperature: rc.temperature,
    topP: rc.topP,
    topK: rc.topK,
    maxResponseTokens: rc.maxResponseTokens,
    selectionScope: rc.selectionScope,
    microBatchCombination: rc.microBatchCombination,
    checkpointEvery: rc.checkpointEvery,
    evaluateEvery: rc.evaluateEvery,
    zeroVarianceWarnSteps: rc.zeroVarianceWarnSteps,
    optimizer: rc.optimizer as unknown as TrainerConfig["optimizer"],
    policyLoss: rc.loss.name,
    lossOptions: rc.loss.options,
    advantage: rc.advantage.name,
    advantageOptions: rc.advantage.options,
    reward: rc.reward.name,
    rewardOptions: rc.reward.options,
  };
  const verifierDef = verifiers.find((v) => v.name === rc.reward.name)!;
  const verifier = verifierDef.create(rc.reward.options);
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
