/**
 * Supervised fine-tuning on prompt/response pairs: the loss is the mean negative log-likelihood of the response
 * tokens (and the EOS that ends them), AdamW with linear warm-up and cosine decay. Deterministic in (data, config,
 * backend); resumable from its last checkpoint (weights, AdamW moments, step) with the same result.
 */
import { existsSync } from "node:fs";
import { mkdir, readFile, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import type { Backend } from "@sentrl/compute";
import { Rng, SentrlError, writeFileAtomic } from "@sentrl/core";
import type { DecoderModel } from "@sentrl/model";

export interface SftSettings {
  steps: number;
  /** Examples per step. */
  batchSize: number;
  /** Peak learning rate. */
  lr: number;
  /** Linear warm-up steps, then cosine decay to `minLrRatio · lr`. */
  warmupSteps: number;
  minLrRatio: number;
  weightDecay: number;
  maxGradNorm: number;
  /** Order of the examples (a fresh seeded shuffle per pass over the data). */
  seed: number;
  /** Checkpoint every this many steps (0: only at the end). */
  checkpointEvery: number;
}

/** One training example as token ids: the loss covers `response` only. */
export interface SftExample {
  prompt: number[];
  response: number[];
}

export interface SftStepInfo {
  step: number;
  steps: number;
  loss: number;
  lr: number;
  tokens: number;
}

export const SFT_STATE_FILE = "sft-state.json";

/** Learning rate of step `s` (0-based): warm-up then cosine. */
export function sftLearningRate(s: number, o: SftSettings): number {
  if (s < o.warmupSteps) return (o.lr * (s + 1)) / o.warmupSteps;
  const t = (s - o.warmupSteps) / Math.max(1, o.steps - o.warmupSteps);
  return o.lr * (o.minLrRatio + (1 - o.minLrRatio) * 0.5 * (1 + Math.cos(Math.PI * Math.min(1, t))));
}

/** Example indices of step `s`: passes over the data in a seeded order, a fresh order per pass. */
export function sftBatchIndices(s: number, n: number, o: SftSettings): number[] {
  const out: number[] = [];
  let cachedPass = -1;
  let order: number[] = [];
  for (let j = 0; j < o.batchSize; j++) {
    const g = s * o.batchSize + j;
    const pass = Math.floor(g / n);
    if (pass !== cachedPass) {
      cachedPass = pass;
      order = Array.from({ length: n }, (_, i) => i);
      const rng = new Rng(o.seed * 7919 + pass);
      for (let i = n - 1; i > 0; i--) {
        const k = rng.int(i + 1);
        [order[i], order[k]] = [order[k], order[i]];
      }
    }
    out.push(order[g % n]);
  }
  return out;
}

/** One SFT step on `batch`: forward, masked NLL, backward, AdamW. Returns the mean response-token loss. */
export function sftStep(
  model: DecoderModel,
  batch: readonly SftExample[],
  lr: number,
  o: SftSettings,
): { loss: number; tokens: number } {
  const rows = batch.map((e) => [...e.prompt, ...e.response]);
  let tokens = 0;
  for (const e of batch) tokens += e.response.length;
  model.zeroGrad();
  const h = model.forward(rows, { temperature: 1 });
  let loss = 0;
  const dLogp = batch.map((e, i) => {
    const g = new Float32Array(rows[i].length - 1);
    // Position t predicts token t + 1: the response starts at token prompt.length.
    for (let t = e.prompt.length - 1; t < g.length; t++) {
      g[t] = -1 / tokens;
      loss -= h.logp[i][t];
    }
    return g;
  });
  model.backward(h, { dLogp }); // frees the forward's activations
  model.step({ lr, weightDecay: o.weightDecay, ...(o.maxGradNorm > 0 ? { maxGradNorm: o.maxGradNorm } : {}) });
  return { loss: loss / tokens, tokens };
}

export interface RunSftOptions {
  model: DecoderModel;
  backend: Backend;
  examples: readonly SftExample[];
  settings: SftSettings;
  /** Checkpoints (`checkpoint/` + `sft-state.json`) go here; a complete run's final model goes to `outDir/model`. */
  outDir: string;
  /** Step the model was restored at (from `resumeSft`), default 0. */
  startStep?: number;
  onStep?: (info: SftStepInfo) => void;
  /** Writes the model folder (weights + whatever else the caller adds: tokenizer files). */
  save: (model: DecoderModel, dir: string, withOptimizer: boolean) => Promise<void>;
  signal?: AbortSignal;
}

/** Trains from `startStep` to `settings.steps`, checkpointing atomically (temp folder + rename). */
export async function runSft(o: RunSftOptions): Promise<{ losses: number[] }> {
  const { model, examples, settings } = o;
  if (examples.length === 0) throw new SentrlError("SFT_NO_DATA", "no training examples; check the data file");
  const losses: number[] = [];
  await mkdir(o.outDir, { recursive: true });
  const checkpoint = async (step: number) => {
    const dir = join(o.outDir, "checkpoint");
    const tmp = `${dir}.tmp`;
    await rm(tmp, { recursive: true, force: true });
    await o.save(model, tmp, true);
    await rm(dir, { recursive: true, force: true });
    await rename(tmp, dir);
    await writeFileAtomic(join(o.outDir, SFT_STATE_FILE), `${JSON.stringify({ step, settings })}\n`);
  };
  for (let s = o.startStep ?? 0; s < settings.steps; s++) {
    if (o.signal?.aborted) {
      await checkpoint(s);
      break;
    }
    const batch = sftBatchIndices(s, examples.length, settings).map((i) => examples[i]);
    const lr = sftLearningRate(s, settings);
    const r = sftStep(model, batch, lr, settings);
    losses.push(r.loss);
    o.onStep?.({ step: s + 1, steps: settings.steps, loss: r.loss, lr, tokens: r.tokens });
    if (settings.checkpointEvery > 0 && (s + 1) % settings.checkpointEvery === 0 && s + 1 < settings.steps)
      await checkpoint(s + 1);
  }
  return { losses };
}

/** The step a run in `outDir` can resume from (0 when there is no checkpoint), after checking its settings. */
export async function sftResumeStep(outDir: string, settings: SftSettings): Promise<number> {
  const file = join(outDir, SFT_STATE_FILE);
  if (!existsSync(file) || !existsSync(join(outDir, "checkpoint"))) return 0;
  const state = JSON.parse(await readFile(file, "utf8")) as { step: number; settings: SftSettings };
  if (JSON.stringify(state.settings) !== JSON.stringify(settings))
    throw new SentrlError(
      "SFT_RESUME_MISMATCH",
      `${outDir} holds an SFT run with other settings; use another --out or the same config`,
    );
  return state.step;
}
