/**
 * `sentrl demo`, the main job (docs/contracts.md §12): the base model (committed, or regenerated once into the
 * cache), an SE curriculum built from the base model's own samples on the RL prompts (`@sentrl/curriculum` with the
 * `local:` generator), one training run per arm from the same base, seed and sample budget, held-out evaluation of
 * the base and every arm, and the report.
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { writeFileAtomic } from "@sentrl/core";
import { buildCurriculumFromGenerator } from "@sentrl/curriculum";
import { createLocalGenerator, loadModel, loadTokenizer } from "@sentrl/model";
import { type ArmScale, presetUsesCurriculum, runArm } from "./arms.js";
import { BASE_RECIPE, ensureBaseModel, recipeHash, recipeSplits } from "./base-model.js";
import { type EvalSettings, evaluateModel } from "./evaluate.js";
import { startPhase } from "./progress.js";
import { type ArmReport, writeDemoReport } from "./report.js";
import type { SumProblem } from "./task.js";

export interface DemoScale {
  /** RL prompts (the SE curriculum is built on them). */
  rlPrompts: number;
  heldOut: number;
  /** Samples per held-out question. */
  k: number;
  /** Samples per RL prompt for the semantic entropy. */
  curriculumSamples: number;
  stages: number;
  arm: ArmScale;
  evalTemperature: number;
  evalTopP: number;
}

const ARM: ArmScale = {
  promptsPerStep: 64,
  groupSize: 8,
  totalSteps: 32,
  epochsPerStage: 2,
  // Chosen on the validation split (never on held-out), seed 1, bench/demo-sweep.ts: validation pass@1 of grpo after
  // 32 steps was highest at 3e-5 (1e-4, 5e-5 and 3e-4 lower; 64 steps at 3e-5 no better). docs/demo.md has the table.
  lr: 3e-5,
  maxResponseTokens: 96,
  microBatchSize: 64,
};

/** The default demo: 2 arms × 32 steps × 512 samples (1024 RL prompts, 2 epochs), 500 held-out questions × 8 samples. */
export const SETTINGS_CHOSEN_ON_VALIDATION = "learning rate and steps chosen on the validation split (500 questions apart from held-out; docs/demo.md)";
export const DEFAULT_SCALE: DemoScale = {
  rlPrompts: 1024,
  heldOut: 500,
  k: 32,
  curriculumSamples: 8,
  stages: 2,
  arm: ARM,
  evalTemperature: 0.6,
  evalTopP: 0.95,
};

/** `--quick`: the same pipeline at a budget for CI (under 2 minutes on 2 cores). */
export const QUICK_SCALE: DemoScale = {
  ...DEFAULT_SCALE,
  rlPrompts: 32,
  heldOut: 48,
  k: 4,
  curriculumSamples: 4,
  arm: { ...ARM, promptsPerStep: 8, groupSize: 4, totalSteps: 8, epochsPerStage: 2, microBatchSize: 32 },
};

export interface DemoOptions {
  outDir: string;
  seed: number;
  arms: string[];
  scale: DemoScale;
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env?: NodeJS.ProcessEnv;
  command: string;
  signal?: AbortSignal;
}

const rowOf = (p: SumProblem) => ({
  id: p.id,
  prompt: [{ role: "user", content: p.question }],
  gold: p.answer,
  terms: p.terms.length,
});

/** Writes problems as training/evaluation rows (JSONL: `id`, chat `prompt`, `gold`, `terms`). */
export async function writeProblemRows(file: string, problems: readonly SumProblem[]): Promise<void> {
  await writeFileAtomic(file, `${problems.map((p) => JSON.stringify(rowOf(p))).join("\n")}\n`);
}

export async function runDemo(o: DemoOptions): Promise<Record<string, unknown>> {
  const t0 = performance.now();
  const timings: Record<string, number> = {};
  const { scale, stderr } = o;
  await mkdir(o.outDir, { recursive: true });

  // 1. The base model.
  const phaseOf = (label: string, total: number) => startPhase(stderr, `sentrl demo: ${label}`, total);
  const sft: { phase?: ReturnType<typeof startPhase> } = {};
  const base = await ensureBaseModel({
    env: o.env,
    onStart: (s) => {
      sft.phase = phaseOf(`base model (first use: SFT into ${s.dir})`, s.steps);
    },
    onStep: (s) => sft.phase?.update(s.step, s.steps, `loss ${s.loss.toFixed(3)}`),
    signal: o.signal,
  });
  if (sft.phase) timings.baseModel = sft.phase.stop();
  stderr.write(
    `sentrl demo: base model ${base.dir}${base.generated ? ` (generated in ${base.seconds.toFixed(0)} s, cached)` : ""}\n`,
  );

  // 2. Splits (fixed by the recipe, disjoint from each other and from the SFT data).
  const splits = recipeSplits();
  const rl = splits.rl.slice(0, scale.rlPrompts);
  const heldOut = splits.heldOut.slice(0, scale.heldOut);
  const dataDir = join(o.outDir, "data");
  await mkdir(dataDir, { recursive: true });
  const trainFile = join(dataDir, "rl.jsonl");
  await writeProblemRows(trainFile, rl);
  await writeProblemRows(join(dataDir, "heldout.jsonl"), heldOut);

  // 3. The SE curriculum from the base model's own samples (only when an arm's preset has a curriculum).
  const curriculumDir = join(o.outDir, "curriculum");
  const needsCurriculum = o.arms.some(presetUsesCurriculum);
  let curriculum: Record<string, unknown> | undefined;
  let stageFiles: string[] = [];
  if (needsCurriculum) {
    const p = phaseOf("SE curriculum (base samples)", rl.length);
    const generator = await createLocalGenerator(base.dir, { batchSize: 64 });
    const manifest = await buildCurriculumFromGenerator({
      data: trainFile,
      generator,
      outDir: curriculumDir,
      template: "raw",
      samples: scale.curriculumSamples,
      batchSize: 32,
      temperature: 1,
      maxTokens: scale.arm.maxResponseTokens,
      seed: o.seed,
      split: { kind: "equalSize", stages: scale.stages },
      se: { checker: "symbolic" },
      onProgress: (d, t) => p.update(d, t),
    });
    await generator.close?.();
    timings.curriculum = p.stop();
    stageFiles = manifest.stages.map((s) => join(curriculumDir, s.file));
    curriculum = {
      samples: scale.curriculumSamples,
      estimator: manifest.build.estimator,
      checker: manifest.build.checker,
      stages: manifest.stages.map((s) => ({ stage: s.stage, rows: s.rows, seMean: s.se.mean, seMax: s.se.max })),
    };
  }

  // 4. Held-out evaluation of the base model.
  const tok = loadTokenizer(base.dir);
  const evalSettings = (what: string): EvalSettings => ({
    k: scale.k,
    temperature: scale.evalTemperature,
    topP: scale.evalTopP,
    maxTokens: scale.arm.maxResponseTokens,
    seed: o.seed * 1000 + what.length,
  });
  const evaluate = async (label: string, model: Awaited<ReturnType<typeof loadModel>>) => {
    const p = phaseOf(`evaluate ${label}`, heldOut.length);
    // The same sampling seed for every model: differences come from the weights, not from the random streams.
    const r = await evaluateModel(model, tok, heldOut, { ...evalSettings("eval"), seed: o.seed }, (d, t) =>
      p.update(d, t),
    );
    timings[`eval ${label}`] = p.stop();
    await mkdir(join(o.outDir, label), { recursive: true });
    await writeFileAtomic(join(o.outDir, label, "eval.json"), `${JSON.stringify(r)}\n`);
    return r;
  };
  const baseModel = await loadModel(base.dir);
  const params = baseModel.parameterNames().reduce((a, n) => a + baseModel.getParameter(n).length, 0);
  const baseEval = await evaluate("base", baseModel);
  baseModel.dispose();

  // 5. The arms: same base, seed, prompts and sample budget.
  const arms: Record<string, ArmReport> = {};
  for (const preset of o.arms) {
    const p = phaseOf(`train ${preset}`, scale.arm.totalSteps);
    const run = await runArm({
      preset,
      seed: o.seed,
      baseDir: base.dir,
      outDir: join(o.outDir, preset),
      trainFile,
      stageFiles,
      scale: scale.arm,
      signal: o.signal,
      onStep: (s, total, m) =>
        p.update(
          s,
          total,
          `reward ${(m["critic/score/mean"] ?? Number.NaN).toFixed(3)} entropy ${(m["actor/entropy"] ?? Number.NaN).toFixed(3)}`,
        ),
    });
    timings[`train ${preset}`] = p.stop();
    const e = await evaluate(preset, run.policy.model);
    run.policy.model.dispose();
    arms[preset] = {
      preset,
      steps: run.steps,
      seconds: run.seconds,
      eval: e,
      reward: run.reward,
      entropy: run.entropy,
      stage: run.stage,
    };
  }

  const seconds = (performance.now() - t0) / 1000;
  return writeDemoReport(o.outDir, {
    task: {
      description: `sums of ${BASE_RECIPE.task.minTerms}-${BASE_RECIPE.task.maxTerms} one-digit terms, worked line by line (add the first two numbers, copy the rest), answer in \\boxed{}; difficulty = number of terms`,
      family: "sum-chain",
      ...BASE_RECIPE.task,
      rlPrompts: rl.length,
      recipe: recipeHash(),
    },
    model: {
      params,
      layers: BASE_RECIPE.model.num_hidden_layers,
      hidden: BASE_RECIPE.model.hidden_size,
      dir: base.dir,
    },
    base: baseEval,
    arms,
    k: scale.k,
    heldOut: heldOut.length,
    settings: {
      seed: o.seed,
      ...scale.arm,
      rlPrompts: scale.rlPrompts,
      evalTemperature: scale.evalTemperature,
      evalTopP: scale.evalTopP,
      trainTemperature: 1,
    },
    curriculum,
    seconds,
    timings,
    command: o.command,
    provenance: [
      `Base model: SFT on worked solutions written by a demonstrator that slips (each line's sum off by one with probability ${BASE_RECIPE.sftSlips.rate}), so it samples the right answer often but not reliably: the room RL has.`,
      scale.arm.lr === DEFAULT_SCALE.arm.lr && scale.arm.totalSteps === DEFAULT_SCALE.arm.totalSteps
        ? `Training settings: ${SETTINGS_CHOSEN_ON_VALIDATION}.`
        : "Training settings: learning rate or steps differ from the defaults chosen on the validation split.",
    ],
  });
}
