/**
 * The demo's base model: a ~0.85M-parameter Qwen2 (4 layers, hidden 128) warm-started by SFT on worked solutions of
 * the sum task, to partial accuracy. The recipe is data: `writeBaseRecipe` writes the tokenizer folder, the SFT JSONL
 * (questions of the RL and held-out splits never appear in it) and the `sentrl sft` config, so
 * `sentrl sft --config <dir>/sft.json --out <model>` regenerates the model. A copy is committed under
 * `apps/sentrl/assets/demo-base/` with the recipe's hash; when it is missing or stale the demo regenerates it once
 * into the user cache (`$XDG_CACHE_HOME/sentrl/demo-base-<hash>`, ~3-4 minutes on 2 cores).
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeFileAtomic } from "@sentrl/core";
import type { SftStepInfo } from "./sft.js";
import { parseSftConfig, type SftConfig } from "./sft-config.js";
import { DEFAULT_TASK, drawSplits, type SlipSpec, sftProblem, type TaskSpec, type TaskSplits } from "./task.js";
import { CHAT_TEMPLATE, DEMO_VOCAB_SIZE, writeDemoTokenizer } from "./tokenizer.js";

/** Everything that determines the base model (and the demo's splits). */
export const BASE_RECIPE = {
  version: 2,
  task: DEFAULT_TASK as TaskSpec,
  /** The SFT demonstrator's slips (`slipper` in task.ts): the base model learns to slip as often. */
  sftSlips: { rate: 0.3 } as SlipSpec,
  /** Seed of the held-out and RL splits: fixed, so the base model never saw them whatever the demo's --seed. */
  splitSeed: 0,
  /** Held-out questions are reported; validation ones choose the demo's settings (bench/demo-sweep.ts). */
  splits: { rl: 1024, heldOut: 500, validation: 500 },
  sftDataSeed: 1,
  model: {
    model_type: "qwen2",
    architectures: ["Qwen2ForCausalLM"],
    hidden_size: 128,
    intermediate_size: 384,
    num_hidden_layers: 4,
    num_attention_heads: 4,
    num_key_value_heads: 4,
    vocab_size: DEMO_VOCAB_SIZE,
    max_position_embeddings: 256,
    rope_theta: 10000,
    rms_norm_eps: 1e-6,
    tie_word_embeddings: true,
    torch_dtype: "float32",
  },
  initSeed: 1,
  sft: {
    steps: 600,
    batchSize: 64,
    lr: 3e-3,
    warmupSteps: 20,
    minLrRatio: 0.1,
    weightDecay: 0.01,
    maxGradNorm: 1,
    seed: 1,
    checkpointEvery: 50,
  },
  chatTemplate: CHAT_TEMPLATE,
};

/** Short hash of the recipe: the committed model and cache folders are keyed by it. */
export function recipeHash(recipe = BASE_RECIPE): string {
  return createHash("sha256").update(JSON.stringify(recipe)).digest("hex").slice(0, 12);
}

/** The fixed held-out, validation and RL splits of the recipe (disjoint; never in the SFT data). */
export function recipeSplits(recipe = BASE_RECIPE): TaskSplits {
  return drawSplits(recipe.task, recipe.splits, recipe.splitSeed);
}

/** SFT rows `{id, prompt: chat messages, response, terms}`: one per example the recipe's steps consume. */
export function recipeSftRows(recipe = BASE_RECIPE, splits = recipeSplits(recipe)): Record<string, unknown>[] {
  const n = recipe.sft.steps * recipe.sft.batchSize;
  return Array.from({ length: n }, (_, i) => {
    const p = sftProblem(recipe.task, recipe.sftDataSeed, i, splits.reserved, recipe.sftSlips);
    return { id: p.id, prompt: [{ role: "user", content: p.question }], response: p.solution, terms: p.terms.length };
  });
}

/**
 * Writes `<dir>/tokenizer/` (tokenizer files), `<dir>/sft.jsonl` and `<dir>/sft.json` (the `sentrl sft` config,
 * paths relative to it). Returns the parsed config.
 */
export async function writeBaseRecipe(dir: string, recipe = BASE_RECIPE): Promise<SftConfig> {
  await mkdir(join(dir, "tokenizer"), { recursive: true });
  await writeDemoTokenizer(join(dir, "tokenizer"));
  const rows = recipeSftRows(recipe);
  await writeFileAtomic(join(dir, "sft.jsonl"), `${rows.map((r) => JSON.stringify(r)).join("\n")}\n`);
  const config = {
    model: { init: recipe.model, seed: recipe.initSeed },
    tokenizer: "tokenizer",
    data: "sft.jsonl",
    ...recipe.sft,
  };
  await writeFileAtomic(join(dir, "sft.json"), `${JSON.stringify(config, null, 2)}\n`);
  return parseSftConfig(config);
}

/** `apps/sentrl` (found from this module's location, in sources and in the bundle). */
function appRoot(): string {
  let d = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const pkg = join(d, "package.json");
    if (existsSync(pkg) && JSON.parse(readFileSync(pkg, "utf8")).name === "sentrl") return d;
    d = dirname(d);
  }
  return dirname(fileURLToPath(import.meta.url));
}

/** Where the committed base model lives. */
export function committedBaseDir(): string {
  return join(appRoot(), "assets", "demo-base");
}

/** The user cache folder for a regenerated base model. */
export function cachedBaseDir(env: NodeJS.ProcessEnv = process.env): string {
  const root = env.XDG_CACHE_HOME || join(homedir(), ".cache");
  return join(root, "sentrl", `demo-base-${recipeHash()}`);
}

/** True when `dir` holds a complete base model made by the current recipe. */
export function isCurrentBase(dir: string): boolean {
  const f = join(dir, "recipe.json");
  if (!existsSync(f) || !existsSync(join(dir, "model.safetensors"))) return false;
  try {
    return JSON.parse(readFileSync(f, "utf8")).hash === recipeHash();
  } catch {
    return false;
  }
}

export interface EnsureBaseOptions {
  env?: NodeJS.ProcessEnv;
  onStart?: (info: { dir: string; steps: number }) => void;
  onStep?: (info: SftStepInfo) => void;
  signal?: AbortSignal;
}

/** The base model folder: the committed one when current, else the cache (regenerated there once, resumable). */
export async function ensureBaseModel(
  o: EnsureBaseOptions = {},
): Promise<{ dir: string; generated: boolean; seconds: number }> {
  const committed = committedBaseDir();
  if (isCurrentBase(committed)) return { dir: committed, generated: false, seconds: 0 };
  const dir = cachedBaseDir(o.env);
  if (isCurrentBase(dir)) return { dir, generated: false, seconds: 0 };
  const t0 = performance.now();
  await generateBaseModel(dir, o);
  return { dir, generated: true, seconds: (performance.now() - t0) / 1000 };
}

/** Marks `dir` as the current recipe's base model (`recipe.json`: hash, generation time, the recipe). */
export async function writeRecipeMarker(dir: string, seconds: number): Promise<void> {
  await writeFileAtomic(
    join(dir, "recipe.json"),
    `${JSON.stringify({ hash: recipeHash(), seconds, recipe: BASE_RECIPE }, null, 2)}\n`,
  );
}

/** Runs the recipe into `dir` (work files in `<dir>.work`, resumed if present), then marks it with recipe.json. */
export async function generateBaseModel(dir: string, o: EnsureBaseOptions = {}): Promise<void> {
  const { trainSft } = await import("./sft-run.js");
  const work = `${dir}.work`;
  const config = await writeBaseRecipe(join(work, "recipe"));
  o.onStart?.({ dir, steps: config.settings.steps });
  const t0 = performance.now();
  await trainSft({
    config,
    resolvePath: (p) => join(work, "recipe", p),
    outDir: join(work, "model"),
    resume: true,
    onStep: o.onStep,
    signal: o.signal,
  });
  await writeRecipeMarker(join(work, "model"), (performance.now() - t0) / 1000);
  const summaryFile = join(work, "model", "sft-summary.json");
  const summary = JSON.parse(readFileSync(summaryFile, "utf8"));
  await writeFileAtomic(summaryFile, `${JSON.stringify({ ...summary, outDir: dir }, null, 2)}\n`);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dirname(dir), { recursive: true });
  await rename(join(work, "model"), dir);
  await rm(work, { recursive: true, force: true });
}
