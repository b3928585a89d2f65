import { resolve } from "node:path";
import { type CliIO, parseCommandArgs } from "../command.js";
import { writeJsonLine } from "../io/output-guard.js";
import { acquireOutputLock } from "../io/output-lock.js";
import { UsageError } from "../usage-error.js";

// `sentrl demo`: the main job (docs/contracts.md §12): GRPO vs SENT on a small Qwen2-family transformer, offline.

export const help = `Usage: sentrl demo [--out <dir>] [--seed <n>] [--quick] [--arms grpo,sent] [--held-out <n>] [--k <n>] [--steps <n>]

Trains a small Qwen2-family transformer (~0.85M parameters, 4 layers, hidden 128) with GRPO and with SENT from the
same base model, seed and sample budget, on sums of 3-8 one-digit terms worked line by line with the answer in
\\boxed{} (difficulty = number of terms), and reports held-out pass@k / avg@k with 95% bootstrap intervals.

  base model  committed in apps/sentrl/assets/demo-base (SFT on worked solutions by a demonstrator that slips, so it
              samples the right answer often but not reliably; \`sentrl sft --demo-base --out <dir>\` regenerates
              it); if missing or stale it is regenerated once into $XDG_CACHE_HOME/sentrl (~3 min)
  curriculum  the base model's own samples on the RL prompts, clustered by answer (symbolic checker), ordered by
              semantic entropy, 2 equal stages (@sentrl/semantic-entropy + @sentrl/curriculum)
  arms        grpo (the \`grpo\` preset) and sent (the \`sent\` preset: SENT loss + the SE curriculum), scaled to the
              demo: 1024 RL prompts, 64 prompts × 8 samples per step, 32 steps (2 epochs), lr 3e-5 (chosen on a
              validation split apart from held-out; docs/demo.md); --arms takes any presets
  evaluation  500 held-out questions (never in SFT or RL) × 32 samples at temperature 0.6, top-p 0.95, graded by the
              symbolic checker on \\boxed{}

Writes under --out (default runs/demo-<timestamp>): report.html (self-contained, inline SVG), report.md,
summary.json, each arm's metrics.jsonl, checkpoint and model folder, the data splits and the curriculum. Prints the
summary's path and headline numbers as JSON on stdout; progress on stderr. Measured: 302-311 s on 2 cores;
--quick (a small budget, 48 held-out questions) 10-80 s. How the defaults were chosen and what they show: docs/demo.md.

Options:
  --out <dir>      output directory (default runs/demo-<timestamp>)
  --seed <n>       seed of sampling, data order and evaluation (default 1)
  --quick          small budget for a smoke test (CI)
  --arms <list>    comma-separated presets to train (default grpo,sent)
  --held-out <n>   held-out questions (default 500, the whole held-out split)
  --k <n>          samples per held-out question (default 32)
  --steps <n>      training steps per arm (default 32); curriculum epochs per stage follow
  --lr <x>         learning rate of every arm (default 3e-5)
`;

function intOption(v: unknown, flag: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (v === undefined) return undefined;
  const x = Number(v);
  if (!(Number.isInteger(x) && x >= min && x <= max))
    throw new UsageError(`${flag} must be an integer in [${min}, ${max}], got \`${String(v)}\``);
  return x;
}

export async function run(args: string[], io: CliIO): Promise<number> {
  const { values } = parseCommandArgs(args, {
    out: { type: "string" },
    seed: { type: "string" },
    quick: { type: "boolean" },
    arms: { type: "string" },
    "held-out": { type: "string" },
    k: { type: "string" },
    steps: { type: "string" },
    lr: { type: "string" },
  });
  const seed = intOption(values.seed, "--seed", 0) ?? 1;
  const { PRESET_NAMES } = await import("../presets/presets.js");
  const arms =
    typeof values.arms === "string"
      ? values.arms
          .split(",")
          .map((s) => s.trim())
          .filter(Boolean)
      : ["grpo", "sent"];
  if (arms.length === 0 || new Set(arms).size !== arms.length)
    throw new UsageError("--arms must list distinct presets, e.g. grpo,sent");
  for (const a of arms)
    if (!PRESET_NAMES.includes(a))
      throw new UsageError(`--arms: unknown preset \`${a}\`; valid: ${PRESET_NAMES.join(", ")}`);
  const { DEFAULT_SCALE, QUICK_SCALE, runDemo } = await import("../demo/run-demo.js");
  const base = values.quick ? QUICK_SCALE : DEFAULT_SCALE;
  const heldOut = intOption(values["held-out"], "--held-out", 1, 500) ?? base.heldOut;
  const k = intOption(values.k, "--k", 1, 64) ?? base.k;
  const steps = intOption(values.steps, "--steps", 1);
  const arm = { ...base.arm };
  if (values.lr !== undefined) {
    const lr = Number(values.lr);
    if (!(Number.isFinite(lr) && lr > 0))
      throw new UsageError(`--lr must be a number > 0, got \`${String(values.lr)}\``);
    arm.lr = lr;
  }
  if (steps !== undefined) {
    arm.totalSteps = steps;
    arm.epochsPerStage = Math.max(1, Math.round((steps * arm.promptsPerStep) / base.rlPrompts));
  }
  const stamp = new Date().toISOString().replace(/[:.]/g, "-").replace(/Z$/, "");
  const outDir = resolve(typeof values.out === "string" ? values.out : `runs/demo-${stamp}`);
  const lock = acquireOutputLock(outDir, "demo");
  try {
    io.stderr.write(`sentrl demo: writing under ${outDir}\n`);
    const summary = (await runDemo({
      outDir,
      seed,
      arms,
      scale: { ...base, heldOut, k, arm },
      stderr: io.stderr as NodeJS.WritableStream,
      env: io.env,
      command: `sentrl demo ${args.join(" ")}`.trim(),
    })) as {
      comparisons: Record<string, { verdict: string }>;
      baseline: { passAt: Record<string, unknown> };
      arms: Record<string, { passAt: Record<string, unknown> }>;
      seconds: number;
    };
    for (const c of Object.values(summary.comparisons)) io.stderr.write(`  ${c.verdict}\n`);
    io.stderr.write(`sentrl demo: report ${resolve(outDir, "report.html")}\n`);
    writeJsonLine(io, {
      outDir,
      report: resolve(outDir, "report.html"),
      seconds: summary.seconds,
      baseline: { pass1: summary.baseline.passAt["1"] },
      arms: Object.fromEntries(Object.entries(summary.arms).map(([n, a]) => [n, { pass1: a.passAt["1"] }])),
    });
  } finally {
    lock.release();
  }
  return 0;
}
