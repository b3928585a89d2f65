import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { type DatasetRow, SentrlError } from "@sentrl/core";
import { type PromptTemplateName, renderPrompt } from "./prompts.js";
import { readRows } from "./read-rows.js";
import { BENCHMARKS, type BenchmarkSpec } from "./registry.js";

/** One benchmark problem: core's `DatasetRow` (source columns kept) plus the question text. */
export interface BenchmarkRow extends DatasetRow {
  /** `<benchmark>/<source id>`, stable across runs and file formats. */
  id: string;
  question: string;
  prompt: string;
  gold: string | string[];
}

export interface LoadBenchmarkOptions {
  /** Prompt template name or template string (default: the benchmark's, the paper's OpenCompass prompt for tests). */
  prompt?: PromptTemplateName | (string & {});
  /** Keep only the first `limit` rows. */
  limit?: number;
}

function goldString(v: unknown): string | null {
  if (typeof v === "string") return v;
  if (typeof v === "number" && Number.isFinite(v)) return String(v);
  if (typeof v === "bigint") return v.toString();
  return null;
}

/** Where a benchmark's file is: `path` itself if it is a file, else `<path>/<folder>/<file>.*`, else `<path>/<file>.*`. */
export function resolveBenchmarkFile(spec: BenchmarkSpec, path: string): string {
  if (existsSync(path) && statSync(path).isFile()) return path;
  const candidates: string[] = [];
  for (const dir of [join(path, spec.folder), path]) {
    for (const ext of [".jsonl", ".parquet", ".json"]) candidates.push(join(dir, spec.file + ext));
  }
  const found = candidates.find((c) => existsSync(c));
  if (!found) {
    throw new SentrlError(
      "BENCHMARK_FILE_NOT_FOUND",
      `no data for \`${spec.name}\` under ${path}; looked for ${candidates.join(", ")} (point --data at the benchmarks folder or at the file)`,
    );
  }
  return found;
}

/**
 * Loads a benchmark from JSONL or Parquet: field map, stable ids (`<name>/<source id>`), golds as stored, and the
 * rendered prompt.
 *
 * @example
 * ```ts
 * const rows = await loadBenchmark("aime24", "/work/shared/benchmarks");
 * rows[0].gold; // "204"
 * ```
 */
export async function loadBenchmark(
  name: string,
  path: string,
  options: LoadBenchmarkOptions = {},
): Promise<BenchmarkRow[]> {
  const spec = BENCHMARKS[name];
  if (!spec)
    throw new SentrlError(
      "BENCHMARK_UNKNOWN",
      `unknown benchmark \`${name}\`; known: ${Object.keys(BENCHMARKS).join(", ")}`,
    );
  const file = resolveBenchmarkFile(spec, path);
  const raw = await readRows(file);
  const limit = options.limit ?? raw.length;
  const template = options.prompt ?? spec.defaultPrompt;
  const rows: BenchmarkRow[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < raw.length && rows.length < limit; i++) {
    const src = raw[i] as Record<string, unknown>;
    const q = spec.question(src);
    if (typeof q !== "string")
      throw new SentrlError("BENCHMARK_BAD_ROW", `${file}: row ${i} has no question in \`${spec.questionField}\``);
    const g = spec.gold(src);
    const gold = Array.isArray(g) ? g.map(goldString) : goldString(g);
    if (gold === null || (Array.isArray(gold) && (gold.length === 0 || gold.some((x) => x === null)))) {
      if (spec.skipMissingGold) continue;
      throw new SentrlError("BENCHMARK_BAD_ROW", `${file}: row ${i} has no usable gold (${spec.goldFrom})`);
    }
    const id = `${spec.name}/${spec.sourceId(src, i)}`;
    if (seen.has(id)) throw new SentrlError("BENCHMARK_DUPLICATE_ID", `${file}: id ${id} appears twice`);
    seen.add(id);
    const question = q;
    rows.push({
      ...src,
      id,
      question,
      prompt: renderPrompt(template, { ...src, question }),
      gold: gold as string | string[],
    });
  }
  return rows;
}
