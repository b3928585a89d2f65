/**
 * `sentrl sft` on files: reads the config's tokenizer folder and JSONL data, starts from a fresh seeded model or a
 * model folder, trains (resuming from `<out>/checkpoint` when asked), and writes a complete Hugging Face model folder
 * to `<out>` (config.json, model.safetensors, the tokenizer files) that every other command loads.
 */
import { existsSync } from "node:fs";
import { copyFile, mkdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { type Backend, createDefaultBackend } from "@sentrl/compute";
import { SentrlError, writeFileAtomic } from "@sentrl/core";
import {
  type DecoderModel,
  loadCheckpoint,
  loadModel,
  loadTokenizer,
  type ModelTokenizer,
  parseModelConfig,
  saveCheckpoint,
  saveModel,
} from "@sentrl/model";
import { initDecoderModel } from "./init.js";
import { runSft, SFT_STATE_FILE, type SftExample, type SftStepInfo, sftResumeStep } from "./sft.js";
import type { SftConfig } from "./sft-config.js";

const TOKENIZER_FILES = ["tokenizer.json", "tokenizer_config.json", "generation_config.json"];

/** Encodes `{"prompt", "response"}` rows: chat prompts with the template's generation prompt, response + EOS. */
export function encodeSftRows(
  rows: readonly Record<string, unknown>[],
  tok: ModelTokenizer,
  file = "data",
): SftExample[] {
  const eos = tok.eosTokenIds[0];
  if (eos === undefined)
    throw new SentrlError("SFT_NO_EOS", "the tokenizer folder names no EOS token (tokenizer_config.json eos_token)");
  return rows.map((row, i) => {
    const p = row.prompt;
    const r = row.response;
    if (typeof r !== "string") throw new SentrlError("SFT_BAD_ROW", `${file}: row ${i + 1} needs a string "response"`);
    let text: string;
    if (typeof p === "string") text = p;
    else if (Array.isArray(p)) text = tok.applyChatTemplate(p as { role: string; content: string }[]);
    else throw new SentrlError("SFT_BAD_ROW", `${file}: row ${i + 1} needs "prompt" (a string or chat messages)`);
    return { prompt: tok.tokenizer.encode(text), response: [...tok.tokenizer.encode(r), eos] };
  });
}

export async function readJsonl(file: string): Promise<Record<string, unknown>[]> {
  const text = await readFile(file, "utf8").catch(() => {
    throw new SentrlError("SFT_FILE_NOT_FOUND", `${file} does not exist; fix config.data`);
  });
  const rows: Record<string, unknown>[] = [];
  text.split("\n").forEach((line, i) => {
    if (line.trim() === "") return;
    try {
      rows.push(JSON.parse(line));
    } catch {
      throw new SentrlError("SFT_BAD_ROW", `${file}: line ${i + 1} is not JSON`);
    }
  });
  return rows;
}

export interface TrainSftOptions {
  config: SftConfig;
  /** Paths in the config resolve against it. */
  resolvePath: (p: string) => string;
  outDir: string;
  resume?: boolean;
  backend?: Backend;
  onStart?: (info: { startStep: number; steps: number; examples: number; params: number }) => void;
  onStep?: (info: SftStepInfo) => void;
  signal?: AbortSignal;
}

export interface SftSummary {
  outDir: string;
  steps: number;
  resumedFrom: number;
  examples: number;
  params: number;
  lossFirst: number | null;
  lossLast: number | null;
  seconds: number;
}

/** Trains and writes the model folder; returns a summary (also written as `<out>/sft-summary.json`). */
export async function trainSft(o: TrainSftOptions): Promise<SftSummary> {
  const t0 = performance.now();
  const { config } = o;
  const backend = o.backend ?? (await createDefaultBackend());
  const tokDir = o.resolvePath(config.tokenizer);
  const tok = loadTokenizer(tokDir);
  const dataFile = o.resolvePath(config.data);
  const examples = encodeSftRows(await readJsonl(dataFile), tok, dataFile);
  if (!o.resume && existsSync(join(o.outDir, SFT_STATE_FILE)))
    throw new SentrlError(
      "SFT_OUT_EXISTS",
      `${o.outDir} holds an SFT run; pass --resume to continue it or choose another --out`,
    );
  const startStep = o.resume ? await sftResumeStep(o.outDir, config.settings) : 0;
  let model: DecoderModel;
  if (startStep > 0) model = await loadCheckpoint(join(o.outDir, "checkpoint"), { backend });
  else if ("dir" in config.model) model = await loadModel(o.resolvePath(config.model.dir), { backend });
  else model = initDecoderModel(parseModelConfig(config.model.init), config.model.seed, backend);
  const params = model.parameterNames().reduce((a, n) => a + model.getParameter(n).length, 0);
  o.onStart?.({ startStep, steps: config.settings.steps, examples: examples.length, params });
  await mkdir(o.outDir, { recursive: true });
  const { losses } = await runSft({
    model,
    backend,
    examples,
    settings: config.settings,
    outDir: o.outDir,
    startStep,
    onStep: o.onStep,
    signal: o.signal,
    save: async (m, dir, withOptimizer) => (withOptimizer ? saveCheckpoint(m, dir) : saveModel(m, dir)),
  });
  if (o.signal?.aborted) {
    model.dispose();
    throw new SentrlError(
      "SFT_INTERRUPTED",
      `interrupted; rerun with --resume to continue from ${o.outDir}/checkpoint`,
    );
  }
  await saveModel(model, o.outDir);
  model.dispose();
  for (const f of TOKENIZER_FILES) if (existsSync(join(tokDir, f))) await copyFile(join(tokDir, f), join(o.outDir, f));
  await rm(join(o.outDir, "checkpoint"), { recursive: true, force: true });
  await rm(join(o.outDir, SFT_STATE_FILE), { force: true });
  const summary: SftSummary = {
    outDir: o.outDir,
    steps: config.settings.steps,
    resumedFrom: startStep,
    examples: examples.length,
    params,
    lossFirst: losses.length ? losses[0] : null,
    lossLast: losses.length ? losses[losses.length - 1] : null,
    seconds: (performance.now() - t0) / 1000,
  };
  await writeFileAtomic(join(o.outDir, "sft-summary.json"), `${JSON.stringify(summary, null, 2)}\n`);
  return summary;
}
