import { UsageError } from "../usage-error.js";
import { type CliIO, parseCommandArgs } from "../command.js";
import { numberOption, oneOf } from "../option-values.js";
import { acquireOutputLock } from "../io/output-lock.js";
import { writeJsonLine } from "../io/output-guard.js";
import { safeWrite } from "../io/std-streams.js";

export const help = `sentrl eval --benchmark <name> --data <dir|file> --generator <spec> --out <dir> [options]

Samples n responses per problem, grades them and reports pass@k, avg@k and maj@k (percent, with 95% bootstrap
intervals). Writes <out>/details.jsonl (one line per sample, appended as produced), <out>/summary.json and
<out>/summary.md; prints the summary JSON on stdout and progress on stderr. Rerunning the same command resumes an
interrupted run without losing or repeating samples.

Options:
  --benchmark <name>    math500, aime24, aime25, amc23, olympiadbench, minerva, minerva-rllm, gsm8k, gsm8k-train,
                        math-train, verl (a verl/DAPO-format file as --data; see \`sentrl benchmarks\`)
  --data <dir|file>     the benchmarks folder (e.g. ../shared/benchmarks) or the benchmark's JSONL/Parquet file
  --generator <spec>    local:<dir> | openai:<baseURL>#<model> | onnx:<dir> | replay:<file.jsonl>
  --n <n>               samples per problem (default 16)
  --k <list>            comma-separated k values, each <= n (default: n)
  --out <dir>           output folder
  --checker <name>      opencompass-v2 (default, the paper's evaluation), dapo or symbolic
  --prompt <name>       opencompass (default for test sets), dapo, raw, or a template with {question}
  --temperature <t>     default 0.6
  --top-p <p>           default 0.95
  --top-k <k>           default: generator's
  --max-tokens <m>      default 8000
  --seed <s>            passed to the generator
  --limit <m>           only the first m problems
  --batch-size <b>      problems per generate call (default 8)
  --bootstrap-seed <s>  seed of the bootstrap intervals (default 0)
`;

/** `--<key>` as a number, `def` when absent. */
function num(
  values: Record<string, unknown>,
  key: string,
  def: number | undefined,
  integer = false,
  min?: number,
): number | undefined {
  return numberOption(values[key], `--${key}`, { int: integer, min }) ?? def;
}

/** Runs `sentrl eval`. */
export async function run(args: string[], io: CliIO): Promise<number> {
  const { values } = parseCommandArgs(args, {
    benchmark: { type: "string" },
    data: { type: "string" },
    generator: { type: "string" },
    n: { type: "string" },
    k: { type: "string" },
    out: { type: "string" },
    checker: { type: "string" },
    prompt: { type: "string" },
    temperature: { type: "string" },
    "top-p": { type: "string" },
    "top-k": { type: "string" },
    "max-tokens": { type: "string" },
    seed: { type: "string" },
    limit: { type: "string" },
    "batch-size": { type: "string" },
    "bootstrap-seed": { type: "string" },
  });
  for (const req of ["benchmark", "data", "generator", "out"])
    if (values[req] === undefined) throw new UsageError(`--${req} is required`);
  const n = num(values, "n", 16, true) as number;
  const ks =
    values.k === undefined
      ? [n]
      : String(values.k)
          .split(",")
          .map((s) => {
            const k = Number(s.trim());
            if (!Number.isInteger(k) || k < 1)
              throw new UsageError(`--k takes positive integers separated by commas, got ${String(values.k)}`);
            return k;
          });
  const limit = num(values, "limit", undefined, true);
  const batchSize = num(values, "batch-size", 8, true, 1) as number;

  const ev = await import("@sentrl/evaluators");
  const { createGenerator } = await import("@sentrl/generators");
  const checker = ev.getChecker(oneOf(values.checker, "--checker", ev.CHECKER_NAMES, "opencompass-v2"));
  const rows = await ev.loadBenchmark(values.benchmark as string, values.data as string, {
    prompt: values.prompt as string | undefined,
    limit,
  });
  // One writer per output folder (docs/contracts.md §1).
  const lock = acquireOutputLock(values.out as string, "eval");
  const generator = await createGenerator(values.generator as string, { env: io.env }).catch((e) => {
    lock.release();
    throw e;
  });
  let last = 0;
  try {
    const result = await ev.runEval({
      generator,
      benchmark: values.benchmark as string,
      rows,
      n,
      ks,
      checker,
      outDir: values.out as string,
      temperature: num(values, "temperature", 0.6),
      topP: num(values, "top-p", 0.95),
      topK: num(values, "top-k", undefined, true),
      maxTokens: num(values, "max-tokens", 8000, true),
      seed: num(values, "seed", undefined, true),
      batchSize,
      bootstrap: { seed: num(values, "bootstrap-seed", 0, true) },
      onProgress: (p) => {
        const now = Date.now();
        if (p.problemsDone === p.problems || now - last >= 1000 || p.problemsDone === p.resumed) {
          last = now;
          safeWrite(
            io.stderr,
            `sentrl eval: ${p.problemsDone}/${p.problems} problems, ${p.samplesDone} samples${p.resumed ? ` (${p.resumed} resumed)` : ""}\n`,
          );
        }
      },
    });
    writeJsonLine(io, result.summary);
  } finally {
    lock.release();
    await generator.close?.();
  }
  return 0;
}
