import { readFile } from "node:fs/promises";
import { type Completion, type GenerateOptions, type GenerationPrompt, type Generator, parseJsonLines, SentrlError } from "@sentrl/core";
import { validateGenerateOptions, validatePrompt } from "./options.js";

/** One line of a replay file (docs/contracts.md §5/§7): `logLik` is the sum of token log-probs, `lengths` token counts. */
export interface ReplayRecord {
  id: string;
  responses: string[];
  logLik?: number[];
  lengths?: number[];
}

const RECORD_SHAPE = 'each line must be {"id", "responses": [string], "logLik"?: [number], "lengths"?: [int]}';

function bad(where: string, what: string): SentrlError {
  return new SentrlError("REPLAY_BAD_RECORD", `${where}: ${what}; ${RECORD_SHAPE}`);
}

/** Parses replay JSONL text (blank lines skipped); `source` names the file in errors. */
export function parseReplayRecords(text: string, source = "replay"): Map<string, ReplayRecord> {
  const records = new Map<string, ReplayRecord>();
  const lines = parseJsonLines(text, { source, code: "REPLAY_BAD_RECORD", objects: true, hint: RECORD_SHAPE });
  for (const { value, lineNo } of lines) {
    const where = `${source}:${lineNo}`;
    const r = value as Record<string, unknown>;
    const id = typeof r.id === "number" ? String(r.id) : r.id;
    if (typeof id !== "string") throw bad(where, "missing id");
    if (!Array.isArray(r.responses) || r.responses.some((x) => typeof x !== "string")) {
      throw bad(where, "responses must be an array of strings");
    }
    const record: ReplayRecord = { id, responses: r.responses as string[] };
    for (const key of ["logLik", "lengths"] as const) {
      const v = r[key];
      if (v === undefined || v === null) continue;
      if (!Array.isArray(v) || v.length !== record.responses.length) {
        throw bad(where, `${key} must be an array with one entry per response (${record.responses.length})`);
      }
      const ok =
        key === "logLik"
          ? (x: unknown) => typeof x === "number" && Number.isFinite(x)
          : (x: unknown) => Number.isInteger(x) && (x as number) >= 0;
      if (!v.every(ok))
        throw bad(
          where,
          key === "logLik" ? "logLik entries must be finite numbers" : "lengths must be non-negative integers",
        );
      record[key] = v as number[];
    }
    if (records.has(id)) {
      throw new SentrlError("REPLAY_DUPLICATE_ID", `${where}: id "${id}" appears twice; give each prompt one record`);
    }
    records.set(id, record);
  }
  return records;
}

/** A generator over records already in memory (see {@link createReplayGenerator}). */
export function replayGenerator(records: Map<string, ReplayRecord>, spec = "replay:<memory>"): Generator {
  return {
    spec,
    async generate(prompts: GenerationPrompt[], options: GenerateOptions): Promise<Completion[][]> {
      validateGenerateOptions(options);
      options.signal?.throwIfAborted();
      return prompts.map((prompt, i) => {
        validatePrompt(prompt, i, false);
        const record = records.get(prompt.id);
        if (!record) {
          throw new SentrlError("REPLAY_MISSING_ID", `no recorded responses for prompt id "${prompt.id}" in ${spec}`);
        }
        if (record.responses.length < options.n) {
          throw new SentrlError(
            "REPLAY_TOO_FEW",
            `prompt id "${prompt.id}" has ${record.responses.length} recorded responses in ${spec}, ${options.n} were asked for`,
          );
        }
        const out: Completion[] = [];
        for (let k = 0; k < options.n; k++) {
          const c: Completion = { text: record.responses[k], finishReason: "stop" };
          if (record.logLik) c.logLik = record.logLik[k];
          if (record.lengths) c.numTokens = record.lengths[k];
          out.push(c);
        }
        return out;
      });
    },
  };
}

/**
 * `replay:<file.jsonl>`: serves responses recorded earlier (e.g. dumped from vLLM or another trainer). For each
 * prompt it returns the first `n` recorded responses of the record with the prompt's id; `logLik` becomes
 * `Completion.logLik`, `lengths` `Completion.numTokens`. Sampling options other than `n` are ignored.
 *
 * Errors: `REPLAY_NOT_FOUND`, `REPLAY_BAD_RECORD` (file:line), `REPLAY_DUPLICATE_ID`, and at generation
 * `REPLAY_MISSING_ID`, `REPLAY_TOO_FEW`.
 *
 * @example
 * ```ts
 * import { createReplayGenerator } from "@sentrl/generators";
 * const gen = await createReplayGenerator("responses.jsonl");
 * const [[first]] = await gen.generate([{ id: "aime-2024-1" }], { n: 1 });
 * ```
 */
export async function createReplayGenerator(file: string, options: { spec?: string } = {}): Promise<Generator> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (e) {
    throw new SentrlError(
      "REPLAY_NOT_FOUND",
      `cannot read replay file ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
      {
        cause: e,
      },
    );
  }
  return replayGenerator(parseReplayRecords(text, file), options.spec ?? `replay:${file}`);
}
