/**
 * One RL arm of the demo: a named preset (`grpo`, `sent`, or any other) resolved through the app's run configuration
 * with the demo's scale on top, trained from the base model with the real trainer (`prepareRun` + `createTrainer`),
 * its metrics JSONL and final checkpoint under `<out>/<arm>/`, its weights as a model folder in `<out>/<arm>/model`.
 */
import { copyFile, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createTrainer } from "@sentrl/core";
import { loadTokenizer, ModelPolicy, saveModel } from "@sentrl/model";
import { prepareRun } from "../presets/build.js";
import { type RunConfig, resolveRunConfig } from "../presets/run-config.js";

export interface ArmScale {
  promptsPerStep: number;
  groupSize: number;
  /** Steps of every arm (the same sample budget: steps × promptsPerStep × groupSize). */
  totalSteps: number;
  /** Epochs per curriculum stage (arms with a curriculum). */
  epochsPerStage: number;
  lr: number;
  /** AdamW's epsilon (the presets' 1e-8 when unset). */
  adamEps?: number;
  maxResponseTokens: number;
  microBatchSize: number;
}

export interface ArmInput {
  preset: string;
  seed: number;
  baseDir: string;
  outDir: string;
  /** RL prompts (JSONL, chat `prompt`, `gold`). */
  trainFile: string;
  /** SE curriculum stage files, easiest first (used by presets with a curriculum). */
  stageFiles: string[];
  scale: ArmScale;
  onStep?: (step: number, total: number, metrics: Record<string, number>) => void;
  signal?: AbortSignal;
}

export interface ArmRun {
  policy: ModelPolicy;
  rc: RunConfig;
  steps: number;
  seconds: number;
  reward: number[];
  entropy: number[];
  stage: number[];
}

const TOKENIZER_FILES = ["tokenizer.json", "tokenizer_config.json", "generation_config.json"];

/** True when the preset trains on a curriculum (its arm needs the SE stage files). */
export function presetUsesCurriculum(preset: string): boolean {
  return (
    resolveRunConfig({ preset, policy: { kind: "model", dir: "." }, data: { train: "." } }).curriculum !== undefined
  );
}

/** The arm's run configuration: the preset, then the demo's scale (model policy, symbolic reward, boxed prompts). */
export function armRunConfig(
  a: Pick<ArmInput, "preset" | "seed" | "baseDir" | "trainFile" | "stageFiles" | "scale">,
): RunConfig {
  const s = a.scale;
  return resolveRunConfig({
    preset: a.preset,
    seed: a.seed,
    totalSteps: s.totalSteps,
    promptsPerStep: s.promptsPerStep,
    groupSize: s.groupSize,
    miniBatchPrompts: s.promptsPerStep,
    microBatchSize: s.microBatchSize,
    maxResponseTokens: s.maxResponseTokens,
    checkpointEvery: 0,
    zeroVarianceWarnSteps: 0,
    optimizer: { lr: s.lr, ...(s.adamEps !== undefined ? { eps: s.adamEps } : {}) },
    reward: { name: "symbolic" },
    promptTemplate: "opencompass",
    policy: { kind: "model", dir: a.baseDir },
    data: { train: a.trainFile },
    // Objects merge onto the preset's: its curriculum kind and per-stage reference stay, the stages are ours.
    ...(presetUsesCurriculum(a.preset)
      ? { curriculum: { stages: a.stageFiles, epochsPerStage: s.epochsPerStage } }
      : {}),
  });
}

/** Trains one arm to `scale.totalSteps`; the returned policy is the trained model (for evaluation). */
export async function runArm(a: ArmInput): Promise<ArmRun> {
  const t0 = performance.now();
  const rc = armRunConfig(a);
  const prepared = await prepareRun(rc, a.outDir);
  await mkdir(a.outDir, { recursive: true });
  await writeFile(join(a.outDir, "run-config.json"), `${JSON.stringify(rc, null, 2)}\n`);
  // The same model behind a policy that decodes and scores 64 rows at a time (the default 8 leaves a tiny model
  // dominated by per-call overhead) and trains on rows grouped by length, 16 per pass (less padding); results do not
  // depend on these sizes beyond float rounding (docs/contracts.md §6, §9).
  const policy = new ModelPolicy((prepared.policy as ModelPolicy).model, {
    tokenizer: loadTokenizer(a.baseDir),
    batchSize: 64,
    scoreBatchSize: 64,
    trainBatchSize: 16,
  });
  const trainer = createTrainer({
    policy,
    dataset: prepared.rows,
    plugins: prepared.plugins,
    config: prepared.config,
    outputDir: a.outDir,
    onWarning: () => {},
  });
  const total = trainer.config.totalSteps;
  const run: ArmRun = {
    policy,
    rc,
    steps: 0,
    seconds: 0,
    reward: [],
    entropy: [],
    stage: [],
  };
  while (trainer.step < total) {
    const r = await trainer.trainStep(a.signal);
    if (r.done) break;
    run.reward.push(r.metrics["critic/score/mean"]);
    run.entropy.push(r.metrics["actor/entropy"]);
    run.stage.push(r.metrics["curriculum/stage"] ?? 1);
    a.onStep?.(r.step, total, r.metrics);
  }
  await trainer.checkpoint();
  const modelDir = join(a.outDir, "model");
  await saveModel(run.policy.model, modelDir);
  for (const f of TOKENIZER_FILES) await copyFile(join(a.baseDir, f), join(modelDir, f)).catch(() => {});
  run.steps = run.reward.length;
  run.seconds = (performance.now() - t0) / 1000;
  return run;
}
