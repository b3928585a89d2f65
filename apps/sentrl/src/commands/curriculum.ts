import type { Generator } from "@sentrl/core";
import { UsageError } from "../usage-error.js";
import { createGenerator } from "@sentrl/generators";
import {
  buildCurriculumFromGenerator,
  PROMPT_TEMPLATE_NAMES,
  type PromptTemplate,
  SPLIT_KINDS,
  type SplitSpec,
} from "@sentrl/curriculum";
import {
  INVALID_POLICIES,
  type InvalidPolicy,
  SE_CHECKERS,
  SE_ESTIMATORS,
  type SEEstimator,
} from "@sentrl/semantic-entropy";
import { type CliIO, parseCommandArgs } from "../command.js";
import { numberOption as num, oneOf } from "../option-values.js";
import { acquireOutputLock } from "../io/output-lock.js";
import { writeJsonLine } from "../io/output-guard.js";
import { safeWrite } from "../io/std-streams.js";

// `sentrl curriculum build`: sample with any generator, score SE, write stage files + manifest (docs/algorithms.md §3, §4).

export const help = `Usage: sentrl curriculum build --data <file> --generator <spec> --out <dir> [options]

Builds a semantic-entropy curriculum: samples --samples responses per question with the generator, clusters them by
final answer, scores semantic entropy, sorts questions from low to high SE (stable) and splits them into stages.

Writes <out>/stage1.<ext> .. stageN.<ext> in the input's own format (JSONL or Parquet; every input column unchanged,
plus semantic_entropy and stage), and <out>/manifest.json (SE statistics and a histogram per stage), which is also
printed on stdout. Sampled responses are cached in <out>/cache/responses.jsonl (the replay: format), so an
interrupted build resumes without resampling. Progress goes to stderr.

Options:
  --data <file>              .jsonl or .parquet (verl/DAPO Parquet with chat \`prompt\` columns is used as is)
  --generator <spec>         local:<dir> | openai:<baseURL>#<model> | onnx:<dir> | replay:<file.jsonl>
  --out <dir>                output directory
  --samples <M>              responses per question (default 8)
  --stages <N>               number of stages (default 2)
  --split <kind>             ${SPLIT_KINDS.join(" | ")} (default equalSize)
  --cuts <a,b,..>            SE thresholds for --split threshold (N-1 ascending numbers; sets N)
  --checker <name>           ${SE_CHECKERS.join(" | ")} (default dapo)
  --estimator <name>         ${SE_ESTIMATORS.join(" | ")} (default lengthNormalized; needs token log-probs)
  --invalid <policy>         ${INVALID_POLICIES.join(" | ")} (default singleton)
  --prompt-template <name>   ${PROMPT_TEMPLATE_NAMES.join(" | ")} (default dapo) for rows without a chat \`prompt\`
  --question-field <f>       question column (default: problem, question or prompt)
  --id-field <f>             id column, dotted paths allowed (default: extra_info.index, id, unique_id, idx, else row number)
  --batch-size <n>           prompts per generator call (default 16)
  --temperature <t>          default 1.0      --top-p <p>   default 1.0
  --max-tokens <n>           default 2048     --seed <n>    sampling seed (optional)
  --bins <n>                 histogram bins in the manifest (default 10)
`;

/** Test hook: SENTRL_CURRICULUM_TEST_DELAY_MS slows every generator call (lets tests interrupt a build mid-way). */
function withDelay(g: Generator, ms: number): Generator {
  if (!(ms > 0)) return g;
  const generate: Generator["generate"] = async (prompts, options) => {
    await new Promise((r) => setTimeout(r, ms));
    return g.generate(prompts, options);
  };
  return { spec: g.spec, close: g.close?.bind(g), generate };
}

function progressReporter(io: CliIO): (done: number, total: number) => void {
  let last = 0;
  const start = Date.now();
  return (done, total) => {
    const now = Date.now();
    if (done < total && now - last < 1000 && done > 0) return;
    last = now;
    const secs = (now - start) / 1000;
    const pct = total === 0 ? 100 : (100 * done) / total;
    safeWrite(
      io.stderr,
      `sentrl curriculum: sampled ${done}/${total} questions (${pct.toFixed(1)}%, ${secs.toFixed(1)} s)\n`,
    );
  };
}

export async function run(args: string[], io: CliIO): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== "build")
    throw new UsageError(
      sub === undefined
        ? "missing subcommand; use `sentrl curriculum build ...`"
        : `unknown subcommand \`${sub}\`; use \`build\``,
    );
  const { values } = parseCommandArgs(rest, {
    data: { type: "string" },
    generator: { type: "string" },
    out: { type: "string" },
    samples: { type: "string" },
    stages: { type: "string" },
    split: { type: "string" },
    cuts: { type: "string" },
    checker: { type: "string" },
    estimator: { type: "string" },
    invalid: { type: "string" },
    "prompt-template": { type: "string" },
    "question-field": { type: "string" },
    "id-field": { type: "string" },
    "batch-size": { type: "string" },
    temperature: { type: "string" },
    "top-p": { type: "string" },
    "max-tokens": { type: "string" },
    seed: { type: "string" },
    bins: { type: "string" },
  });
  for (const f of ["data", "generator", "out"] as const)
    if (typeof values[f] !== "string") throw new UsageError(`--${f} is required; see \`sentrl curriculum --help\``);
  const splitKind = oneOf(values.split, "--split", SPLIT_KINDS, "equalSize");
  let split: SplitSpec;
  if (splitKind === "threshold") {
    if (typeof values.cuts !== "string")
      throw new UsageError("--split threshold needs --cuts a,b,.. (ascending SE thresholds)");
    const cuts = values.cuts.split(",").map((c) => num(c.trim(), "--cuts") as number);
    if (values.stages !== undefined && Number(values.stages) !== cuts.length + 1)
      throw new UsageError(`--stages ${values.stages} disagrees with ${cuts.length} --cuts (N-1 cuts make N stages)`);
    split = { kind: "threshold", cuts };
  } else {
    if (values.cuts !== undefined) throw new UsageError("--cuts only applies to --split threshold");
    split = { kind: splitKind, stages: num(values.stages, "--stages", { int: true, min: 1 }) ?? 2 };
  }
  const checker = oneOf(values.checker, "--checker", SE_CHECKERS, "dapo");
  const estimator = oneOf<SEEstimator>(values.estimator, "--estimator", SE_ESTIMATORS, "lengthNormalized");
  const invalid = oneOf<InvalidPolicy>(values.invalid, "--invalid", INVALID_POLICIES, "singleton");
  const template = oneOf<PromptTemplate>(values["prompt-template"], "--prompt-template", PROMPT_TEMPLATE_NAMES, "dapo");
  // One writer per output folder (docs/contracts.md §1).
  const lock = acquireOutputLock(values.out as string, "curriculum build");
  const generator = withDelay(
    await createGenerator(values.generator as string, { env: io.env }).catch((e) => {
      lock.release();
      throw e;
    }),
    Number(io.env.SENTRL_CURRICULUM_TEST_DELAY_MS ?? 0),
  );
  try {
    const manifest = await buildCurriculumFromGenerator({
      data: values.data as string,
      generator,
      outDir: values.out as string,
      samples: num(values.samples, "--samples", { int: true, min: 1 }) ?? 8,
      batchSize: num(values["batch-size"], "--batch-size", { int: true, min: 1 }),
      temperature: num(values.temperature, "--temperature", { min: 0 }),
      topP: num(values["top-p"], "--top-p", { min: 0 }),
      maxTokens: num(values["max-tokens"], "--max-tokens", { int: true, min: 1 }),
      seed: num(values.seed, "--seed", { int: true, min: 0 }),
      bins: num(values.bins, "--bins", { int: true, min: 1 }),
      split,
      se: { checker, estimator, invalid },
      template,
      questionField: values["question-field"] as string | undefined,
      idField: values["id-field"] as string | undefined,
      onProgress: progressReporter(io),
    });
    writeJsonLine(io, manifest);
    safeWrite(
      io.stderr,
      `sentrl curriculum: wrote ${manifest.stages.map((s) => `${s.file} (${s.rows} rows)`).join(", ")} and manifest.json to ${values.out}\n`,
    );
    return 0;
  } finally {
    lock.release();
    await generator.close?.();
  }
}
