import { SentrlError } from "@sentrl/core";
import { UsageError } from "../usage-error.js";
import { type CliIO, parseCommandArgs } from "../command.js";
import { numberOption, oneOf } from "../option-values.js";
import { jsonLinesFromStdin } from "../stdin-json.js";
import { writeJsonLine } from "../io/output-guard.js";

const FALLBACKS = ["none", "last-number"] as const;

export const help = `sentrl grade --checker <dapo|opencompass-v2|symbolic> [--rtol <x>] [--fallback <none|last-number>]

Checks answers against golds (docs/contracts.md §4).
stdin:  JSON Lines {"response": string, "gold": string | string[]}   (a list means any of them)
stdout: JSON Lines {"correct": bool, "extracted": string | null}, one per input line, in order.

Checkers:
  dapo            verl math_dapo (the training reward): the last "Answer:" line in the last 300 characters
  opencompass-v2  OpenCompass math_postprocess_v2 + MATHEvaluator(version='v2') (the paper's evaluation)
  symbolic        boxed/Answer:/"final answer is" extraction, exact rational and symbolic equivalence
Options (symbolic only):
  --rtol <x>        relative tolerance between two decimal literals (default 1e-4)
  --fallback <f>    none (default) or last-number
`;

/** Runs `sentrl grade`: streams stdin line by line, writes one verdict per line. */
export async function run(args: string[], io: CliIO): Promise<number> {
  const { values } = parseCommandArgs(args, {
    checker: { type: "string" },
    rtol: { type: "string" },
    fallback: { type: "string" },
  });
  const { CHECKER_NAMES, getChecker } = await import("@sentrl/evaluators");
  const name = oneOf(values.checker, "--checker", CHECKER_NAMES);
  const options: { rtol?: number; fallback?: "none" | "last-number" } = {};
  if (values.rtol !== undefined) options.rtol = numberOption(values.rtol, "--rtol", { min: 0 });
  if (values.fallback !== undefined) options.fallback = oneOf(values.fallback, "--fallback", FALLBACKS);
  if (name !== "symbolic" && (options.rtol !== undefined || options.fallback !== undefined)) {
    throw new UsageError(`--rtol and --fallback apply to the symbolic checker only, not ${name}`);
  }
  const checker = getChecker(name, options);
  for await (const { value, lineNo } of jsonLinesFromStdin(io.stdin, "GRADE_BAD_INPUT")) {
    const { response, gold } = (value ?? {}) as { response?: unknown; gold?: unknown };
    if (typeof response !== "string")
      throw new SentrlError("GRADE_BAD_INPUT", `stdin line ${lineNo}: "response" must be a string`);
    const goldOk =
      typeof gold === "string" || (Array.isArray(gold) && gold.length > 0 && gold.every((g) => typeof g === "string"));
    if (!goldOk)
      throw new SentrlError(
        "GRADE_BAD_INPUT",
        `stdin line ${lineNo}: "gold" must be a string or a non-empty list of strings`,
      );
    const res = checker.check(response, gold as string | string[]);
    writeJsonLine(io, { correct: res.correct, extracted: res.extracted });
  }
  return 0;
}
