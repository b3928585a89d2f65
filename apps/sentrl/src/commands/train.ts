import { dirname, resolve } from "node:path";
import { describeFields } from "@sentrl/core";
import { readConfigFile } from "../io/config-file.js";
import { UsageError } from "../usage-error.js";
import cliProgress from "cli-progress";
import { type CliIO, parseCommandArgs } from "../command.js";
import { acquireOutputLock, type OutputLock } from "../io/output-lock.js";
import { safeWrite } from "../io/std-streams.js";
import { numberOption } from "../option-values.js";
import { checkRunConfigForResume } from "../resume-check.js";
import { PRESET_NAMES, PRESETS } from "../presets/presets.js";
import { RUN_CONFIG_SCHEMA, resolveRunConfig } from "../presets/run-config.js";
import { runTraining } from "../presets/run-training.js";
import { writeJsonLine } from "../io/output-guard.js";
import { backendOption } from "../backend-option.js";

// `sentrl train`: one GRPO/SENT training run from a config file (JSON or YAML), optionally on a preset.

export const help = `Usage: sentrl train --config <file> [--preset <name>] [--out <dir>] [--resume [--resume-with-changes]]

Trains a policy with the GRPO trainer of @sentrl/core and the losses of every sentrl package. The config file
(JSON or YAML) is validated before any work: errors name the field (config.loss.options.klCovRatio: ...) and
missing files (data, stage files, verifier module, model dir) are reported first.

Writes <out>/metrics.jsonl (verl metric names: actor/pg_loss, actor/entropy, actor/ppo_kl, actor/pg_clipfrac,
actor/grad_norm, critic/score/mean, response_length/mean, ...), <out>/checkpoints/step_N/ and latest.json,
<out>/run-config.json. Progress goes to stderr; a JSON summary to stdout. --resume continues a killed run from its
newest intact checkpoint, bit for bit, with the same configuration (RESUME_CONFIG_MISMATCH lists what differs).
Only one process writes an output folder at a time (OUTPUT_LOCKED names the other one).

Options:
  --config <file>    run configuration (.json, .yaml, .yml)
  --preset <name>    base configuration the file overrides (also settable as \`preset:\` in the file):
${PRESET_NAMES.map((n) => `                       ${n.padEnd(18)} ${PRESETS[n].description}`).join("\n")}
  --out <dir>        output directory (default: runs/<config file name>)
  --resume           continue from the last checkpoint in --out
  --resume-with-changes  with --resume: allow changes to totalSteps, epochs, checkpointEvery, evaluateEvery,
                     zeroVarianceWarnSteps, rollout.engines/weightSync/weightsDir (nothing that changes the steps
                     already trained)
  --keep-checkpoints <n>  keep only the newest n checkpoints (default: all)
  --backend <name>   compute backend of a model policy: auto (fast CPU kernels), fast, reference, cuda
                     (default: SENTRL_BACKEND, else auto); not part of the run's configuration

Config fields (\`path  type (default)  what\`; objects merge over the preset, null removes a preset's value):
${describeFields(RUN_CONFIG_SCHEMA)
  .map((l) => `  ${l}`)
  .join("\n")}

The tabular toy policy (policy: {kind: tabular}) learns to answer short strings over {a, b}; presets are scaled
to it (2 prompts per step, lr 0.1, reward exact); its curriculum is built from the initial policy's own samples
(semantic entropy of 16 answers per prompt, 2 equal stages). policy: {kind: model, dir} trains the transformer of @sentrl/model
(config.json, safetensors, tokenizer.json with a chat template) on data.train (JSONL/Parquet: verl chat \`prompt\`
columns as they are, other rows rendered with promptTemplate; gold from gold, answer or reward_model.ground_truth).

Example config (YAML):
  preset: sent
  policy: { kind: tabular }
  checkpointEvery: 10
`;

type Progress = { update(step: number, total: number, m: Record<string, number>): void; stop(): void };

/** A cli-progress bar on a terminal; otherwise a progress line every ~10% of the steps (stderr). */
function progress(io: CliIO, label: string): Progress {
  const stream = io.stderr as NodeJS.WritableStream & { isTTY?: boolean };
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        stream,
        format: `sentrl train${label} [{bar}] {value}/{total} steps  score {score}  entropy {entropy}`,
        hideCursor: true,
      },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    return {
      update(step, total, m) {
        const payload = {
          score: m["critic/score/mean"]?.toFixed(3) ?? "-",
          entropy: m["actor/entropy"]?.toFixed(3) ?? "-",
        };
        if (!started) {
          bar.start(total, step - 1, payload);
          started = true;
        }
        bar.update(step, payload);
      },
      stop: () => {
        if (started) bar.stop();
      },
    };
  }
  return { update: lines(io, label), stop: () => {} };
}

function lines(io: CliIO, label: string): (step: number, total: number, m: Record<string, number>) => void {
  let lastShown = -1;
  return (step, total, m) => {
    const bucket = Math.floor((10 * step) / total);
    if (bucket === lastShown && step !== total) return;
    lastShown = bucket;
    const score = m["critic/score/mean"]?.toFixed(3) ?? "-";
    const entropy = m["actor/entropy"]?.toFixed(3) ?? "-";
    safeWrite(io.stderr, `sentrl train${label}: step ${step}/${total}  score ${score}  entropy ${entropy}\n`);
  };
}

export async function run(args: string[], io: CliIO): Promise<number> {
  const { values } = parseCommandArgs(args, {
    config: { type: "string" },
    preset: { type: "string" },
    out: { type: "string" },
    resume: { type: "boolean" },
    "resume-with-changes": { type: "boolean" },
    "keep-checkpoints": { type: "string" },
    backend: { type: "string" },
  });
  const backend = backendOption(values.backend, io.env);
  const withChanges = values["resume-with-changes"] === true;
  if (withChanges && values.resume !== true) throw new UsageError("--resume-with-changes only goes with --resume");
  const keep = numberOption(values["keep-checkpoints"], "--keep-checkpoints", { int: true, min: 1 });
  if (typeof values.config !== "string") throw new UsageError("--config <file> is required; see `sentrl train --help`");
  const configPath = resolve(values.config);
  const raw = await readConfigFile(configPath);
  const rc = resolveRunConfig(raw, { preset: values.preset as string | undefined });
  const name = configPath.replace(/^.*[\\/]/, "").replace(/\.(json|ya?ml)$/i, "");
  const outDir = resolve((values.out as string | undefined) ?? `runs/${name}`);
  // One writer per output folder, taken once the config checks passed (nothing is written before), released when done
  // or taken over by the next run after a kill (docs/contracts.md §1).
  let lock: OutputLock | undefined;
  let summary: Awaited<ReturnType<typeof runTraining>>;
  const show = progress(io, rc.preset ? ` (${rc.preset})` : "");
  try {
    summary = await runTraining({
      rc,
      baseDir: dirname(configPath),
      outDir,
      resume: values.resume === true,
      resumeWithChanges: withChanges,
      keepCheckpoints: keep,
      backend,
      stepDelayMs: Number(io.env.SENTRL_TRAIN_TEST_STEP_DELAY_MS ?? 0),
      beforeWrite: async () => {
        lock = acquireOutputLock(outDir, "train");
        if (values.resume === true) await checkRunConfigForResume(outDir, rc, { allowChanges: withChanges });
      },
      onStep: (r, total) => show.update(r.step, total, r.metrics),
      onWarning: (w) => safeWrite(io.stderr, `sentrl train: warning ${w.code} at step ${w.step}: ${w.message}\n`),
    });
  } finally {
    show.stop();
    lock?.release();
  }
  writeJsonLine(io, summary);
  return 0;
}
