import { createInterface } from "node:readline";
import { SentrlError, UsageError } from "@sentrl/core";
import { type CliIO, parseCommandArgs } from "../command.js";

export const help = `sentrl grade --checker <dapo|opencompass-v2|symbolic> [--rtol <x>] [--fallback <none|last-number>]

Checks answers against golds (CONTRACTS §4).
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
  const name = values.checker as string | undefined;
  if (!name) throw new UsageError("--checker is required (dapo, opencompass-v2 or symbolic)");
  const { CHECKER_NAMES, getChecker } = await import("@sentrl/evaluators");
  if (!(CHECKER_NAMES as readonly string[]).includes(name))
    throw new UsageError(`unknown --checker \`${name}\`; use one of ${CHECKER_NAMES.join(", ")}`);
  const options: { rtol?: number; fallback?: "none" | "last-number" } = {};
  if (values.rtol !== undefined) {
    const r = Number(values.rtol);
    if (!Number.isFinite(r) || r < 0) throw new UsageError(`--rtol must be a non-negative number, got ${values.rtol}`);
    options.rtol = r;
  }
  if (values.fallback !== undefined) {
    if (values.fallback !== "none" && values.fallback !== "last-number")
      throw new UsageError(`--fallback must be none or last-number, got ${values.fallback}`);
    options.fallback = values.fallback;
  }
  if (name !== "symbolic" && (options.rtol !== undefined || options.fallback !== undefined)) {
    throw new UsageError(`--rtol and --fallback apply to the symbolic checker only, not ${name}`);
  }
  const checker = getChecker(name, options);
  const lines = createInterface({ input: io.stdin, crlfDelay: Number.POSITIVE_INFINITY });
  let lineNo = 0;
  for await (const line of lines) {
    lineNo++;
    if (line.trim() === "") continue;
    let item: unknown;
    try {
      item = JSON.parse(line);
    } catch (e) {
      throw new SentrlError("GRADE_BAD_INPUT", `stdin line ${lineNo} is not valid JSON (${(e as Error).message})`);
    }
    const { response, gold } = (item ?? {}) as { response?: unknown; gold?: unknown };
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
    io.stdout.write(`${JSON.stringify({ correct: res.correct, extracted: res.extracted })}\n`);
  }
  return 0;
}
