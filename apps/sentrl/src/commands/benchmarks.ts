import { existsSync } from "node:fs";
import { type CliIO, parseCommandArgs } from "../command.js";

export const help = `sentrl benchmarks [--data <dir>]

Prints, as JSON, the benchmarks sentrl knows: where each field comes from (question, gold, id), the file it
reads under the data folder, its size, quirks and default prompt, plus the prompt templates and checkers.
With --data, also says whether each benchmark's file is present there.
`;

/** Runs `sentrl benchmarks`. */
export async function run(args: string[], io: CliIO): Promise<number> {
  const { values } = parseCommandArgs(args, { data: { type: "string" } });
  const { BENCHMARKS, CHECKER_NAMES, PROMPT_TEMPLATES, resolveBenchmarkFile } = await import("@sentrl/evaluators");
  const data = values.data as string | undefined;
  const benchmarks = Object.values(BENCHMARKS).map((b) => {
    const entry: Record<string, unknown> = {
      name: b.name,
      description: b.description,
      split: b.split,
      rows: b.rows ?? null,
      file: `${b.folder}/${b.file}.jsonl (or .parquet)`,
      fields: { question: b.questionField, gold: b.goldFrom, id: `${b.name}/<${b.idFrom}>` },
      defaultPrompt: b.defaultPrompt,
      quirks: b.quirks,
    };
    if (data !== undefined) {
      try {
        entry.path = resolveBenchmarkFile(b, data);
      } catch {
        entry.path = null;
      }
      entry.available = typeof entry.path === "string" && existsSync(entry.path);
    }
    return entry;
  });
  io.stdout.write(`${JSON.stringify({ benchmarks, prompts: PROMPT_TEMPLATES, checkers: CHECKER_NAMES }, null, 2)}\n`);
  return 0;
}
