import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { UsageError } from "../usage-error.js";
import { type CliIO, parseCommandArgs } from "../command.js";
import { resolveRunConfig } from "../presets/run-config.js";
import { runTraining, type TrainingRunSummary } from "../presets/run-training.js";

// `sentrl demo`: the README's main job (GRPO vs SENT) on an embedded toy task, in seconds, offline.

export const help = `Usage: sentrl demo [--out <dir>] [--seed <n>] [--every <k>]

Trains a tabular softmax policy on a toy verifiable task (6 prompts; answer a 1- or 2-letter string over {a, b};
reward 1 for the exact answer) twice, from the same "pretrained" start (one-letter answers favoured) and seed:
  grpo   the \`grpo\` preset: clipped surrogate + k3 KL 0.001, all prompts shuffled
  sent   the \`sent\` preset: the \`sent\` token loss (code-intended), k3 KL 0.001, and SENT's curriculum in miniature:
         16 answers per prompt sampled from the initial policy, clustered by answer, prompts sorted by semantic
         entropy and split into 2 stages; a fresh optimiser and the stage's starting policy as reference per stage
Prints the curriculum and a table of reward and token entropy over the steps to stderr, a JSON summary to stdout,
and writes each arm's metrics JSONL (verl names) and checkpoints under --out (default: a new temporary directory).

This shows the mechanism, not the paper's numbers: the policy is a lookup table, the task is tiny, presets are
scaled to it (2 prompts per step, lr 0.1). Use \`sentrl train\` for real runs.

Options:
  --out <dir>    output directory (default: a temporary directory)
  --seed <n>     run seed (default 1)
  --every <k>    table row every k steps (default 10)
`;

const ARMS = ["grpo", "sent"] as const;

function intOption(v: unknown, flag: string, dflt: number, min: number): number {
  if (v === undefined) return dflt;
  const x = Number(v);
  if (!(Number.isInteger(x) && x >= min))
    throw new UsageError(`${flag} must be an integer ≥ ${min}, got \`${String(v)}\``);
  return x;
}

export async function run(args: string[], io: CliIO): Promise<number> {
  const { values } = parseCommandArgs(args, {
    out: { type: "string" },
    seed: { type: "string" },
    every: { type: "string" },
  });
  const seed = intOption(values.seed, "--seed", 1, 0);
  const every = intOption(values.every, "--every", 10, 1);
  const outDir = typeof values.out === "string" ? resolve(values.out) : await mkdtemp(join(tmpdir(), "sentrl-demo-"));
  io.stderr.write(`sentrl demo: writing metrics under ${outDir}\n`);

  const curves: Record<string, { score: number[]; entropy: number[]; stage: number[] }> = {};
  const summaries: Record<string, TrainingRunSummary> = {};
  for (const arm of ARMS) {
    const rc = resolveRunConfig({ preset: arm, seed, policy: { kind: "tabular" }, zeroVarianceWarnSteps: 0 });
    const curve = { score: [] as number[], entropy: [] as number[], stage: [] as number[] };
    curves[arm] = curve;
    summaries[arm] = await runTraining({
      rc,
      baseDir: process.cwd(),
      outDir: join(outDir, arm),
      onStep: (r) => {
        curve.score.push(r.metrics["critic/score/mean"]);
        curve.entropy.push(r.metrics["actor/entropy"]);
        curve.stage.push(r.metrics["curriculum/stage"] ?? 1);
      },
    });
  }

  const stages = summaries.sent.curriculum ?? [];
  io.stderr.write("\n  SENT curriculum (semantic entropy of 16 sampled answers per prompt, initial policy):\n");
  for (const st of stages) {
    const items = st.prompts.map((p) => `"${String(p.gold)}" ${p.semanticEntropy?.toFixed(2) ?? "?"}`);
    io.stderr.write(`    stage ${st.stage}: ${items.join(", ")}\n`);
  }

  // Table: means over each window of `every` steps.
  const steps = Math.max(...ARMS.map((a) => curves[a].score.length));
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : Number.NaN);
  const fmt = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : "  -  ");
  io.stderr.write("\n  steps     | GRPO reward  entropy | SENT stage  reward  entropy\n");
  io.stderr.write("  ----------+----------------------+----------------------------\n");
  for (let s = 0; s < steps; s += every) {
    const e = Math.min(steps, s + every);
    const g = curves.grpo;
    const t = curves.sent;
    const stage = t.stage.slice(s, e);
    io.stderr.write(
      `  ${`${s + 1}-${e}`.padEnd(9)} |       ${fmt(mean(g.score.slice(s, e)))}    ${fmt(mean(g.entropy.slice(s, e)))} |` +
        `      ${stage.length ? String(stage[stage.length - 1]) : "-"}    ${fmt(mean(t.score.slice(s, e)))}   ${fmt(mean(t.entropy.slice(s, e)))}\n`,
    );
  }
  io.stderr.write(
    "\n  reward = mean exact-match reward of the step's 16 sampled answers; entropy = mean token entropy (actor/entropy).\n" +
      "  SENT's reward drops when stage 2 starts: new prompts of higher semantic entropy, fresh optimiser, new reference.\n" +
      "  A toy: this shows the mechanism, not the paper's numbers.\n\n",
  );
  io.stdout.write(
    `${JSON.stringify({
      outDir,
      task: "toy: 6 prompts, answers over {a, b} of 1-2 letters, exact-match reward, tabular softmax policy with a prior",
      arms: summaries,
    })}\n`,
  );
  return 0;
}
