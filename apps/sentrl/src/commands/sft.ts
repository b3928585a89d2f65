import { readFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { SentrlError } from "@sentrl/core";
import { type CliIO, parseCommandArgs } from "../command.js";
import { writeJsonLine } from "../io/output-guard.js";
import { acquireOutputLock } from "../io/output-lock.js";
import { UsageError } from "../usage-error.js";

// `sentrl sft`: supervised fine-tuning of a Qwen2-family model on JSONL prompt/response pairs; resumable.

export const help = `Usage: sentrl sft --config <file.json> --out <dir> [--resume]
       sentrl sft --demo-base --out <dir> [--resume]

Supervised fine-tuning: the mean negative log-likelihood of each response (and the EOS after it), AdamW with linear
warm-up and cosine decay, checkpoints every checkpointEvery steps (--resume continues from the last one with the
same result). Writes a Hugging Face model folder to --out (config.json, model.safetensors, the tokenizer files,
sft-summary.json) that \`sentrl score\`, \`local:<dir>\` generators and \`sentrl train\` load.

Config (JSON; paths relative to the config file):
  {"model": {"init": {<config.json fields of a Qwen2 model>}, "seed": 1} | {"dir": "<model folder>"},
   "tokenizer": "<folder with tokenizer.json, tokenizer_config.json (chat template, eos_token)>",
   "data": "<file.jsonl: {\\"prompt\\": string | [{\\"role\\", \\"content\\"}], \\"response\\": string} per line>",
   "steps": 400, "batchSize": 32, "lr": 0.001, "warmupSteps": 20, "minLrRatio": 0.1, "weightDecay": 0.01,
   "maxGradNorm": 1, "seed": 1, "checkpointEvery": 50}
Chat prompts are rendered with the tokenizer's chat template and its generation prompt; string prompts as they are.

--demo-base writes the demo's base-model recipe (tokenizer, SFT data, config) to <out>/recipe and trains it into
<out>: the model \`sentrl demo\` ships in apps/sentrl/assets/demo-base (about 2.5 minutes on 2 cores, bit for bit).

Options:
  --config <file>  the SFT config
  --demo-base      regenerate the demo's base model instead of reading a config
  --out <dir>      output model folder (required)
  --resume         continue an interrupted run in --out
`;

export async function run(args: string[], io: CliIO): Promise<number> {
  const { values } = parseCommandArgs(args, {
    config: { type: "string" },
    "demo-base": { type: "boolean" },
    out: { type: "string" },
    resume: { type: "boolean" },
  });
  if (typeof values.out !== "string") throw new UsageError("--out <dir> is required; see `sentrl sft --help`");
  if ((typeof values.config === "string") === (values["demo-base"] === true))
    throw new UsageError("give exactly one of --config <file> and --demo-base");
  const outDir = resolve(values.out);
  const { parseSftConfig } = await import("../demo/sft-config.js");
  const { trainSft } = await import("../demo/sft-run.js");
  const { startPhase } = await import("../demo/progress.js");
  const lock = acquireOutputLock(outDir, "sft");
  try {
    let config: ReturnType<typeof parseSftConfig>;
    let base: string;
    if (values["demo-base"]) {
      const { writeBaseRecipe } = await import("../demo/base-model.js");
      base = join(outDir, "recipe");
      config = await writeBaseRecipe(base);
    } else {
      const file = resolve(values.config as string);
      const text = await readFile(file, "utf8").catch(() => {
        throw new SentrlError("SFT_FILE_NOT_FOUND", `${file} does not exist; fix --config`);
      });
      let raw: unknown;
      try {
        raw = JSON.parse(text);
      } catch (e) {
        throw new SentrlError("SFT_CONFIG_INVALID", `${file} is not JSON: ${(e as Error).message}`);
      }
      config = parseSftConfig(raw);
      base = dirname(file);
    }
    let phase: ReturnType<typeof startPhase> | undefined;
    const controller = new AbortController();
    const stop = () => controller.abort();
    process.once("SIGINT", stop);
    try {
      const summary = await trainSft({
        config,
        resolvePath: (p) => resolve(base, p),
        outDir,
        resume: values.resume === true,
        signal: controller.signal,
        onStart: (s) => {
          io.stderr.write(
            `sentrl sft: ${s.params.toLocaleString("en-US")} parameters, ${s.examples} examples, steps ${s.startStep + 1}-${s.steps}\n`,
          );
          phase = startPhase(io.stderr as NodeJS.WritableStream, "sentrl sft", s.steps);
          phase.update(s.startStep, s.steps);
        },
        onStep: (s) => phase?.update(s.step, s.steps, `loss ${s.loss.toFixed(4)}`),
      });
      phase?.stop();
      if (values["demo-base"]) {
        const { writeRecipeMarker } = await import("../demo/base-model.js");
        await writeRecipeMarker(outDir, summary.seconds);
      }
      writeJsonLine(io, summary);
    } finally {
      process.removeListener("SIGINT", stop);
      phase?.stop();
    }
  } finally {
    lock.release();
  }
  return 0;
}
