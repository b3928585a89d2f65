import { lastBoxedOnlyString, removeBoxed } from "../extract/boxed.js";
import { pyStripChars, pyStrip } from "../text/python.js";
import type { PromptTemplateName } from "./prompts.js";

/** How one benchmark's rows map to question, gold and id. */
export interface BenchmarkSpec {
  name: string;
  description: string;
  /** Folder under the data directory and the file stem inside it (`<dir>/<folder>/<file>.jsonl|.parquet`). */
  folder: string;
  file: string;
  split: "test" | "train";
  rows?: number;
  /** Source column of the question, and where the gold comes from (in words, for `sentrl benchmarks`). */
  questionField: string;
  goldFrom: string;
  idFrom: string;
  /** The prompt template the paper uses for it. */
  defaultPrompt: PromptTemplateName;
  quirks: string[];
  /** Rows without a gold are skipped (listed in `quirks`) instead of being an error. */
  skipMissingGold?: boolean;
  question(row: Record<string, unknown>): unknown;
  gold(row: Record<string, unknown>): unknown;
  sourceId(row: Record<string, unknown>, index: number): string;
}

const field = (name: string) => (row: Record<string, unknown>) => row[name];
const indexId = (_row: Record<string, unknown>, i: number) => String(i);
const fieldId = (name: string) => (row: Record<string, unknown>, i: number) =>
  row[name] === undefined || row[name] === null ? String(i) : String(row[name]);
const afterHashes = (row: Record<string, unknown>) => {
  const a = row.answer;
  if (typeof a !== "string") return a;
  const i = a.lastIndexOf("####");
  return i < 0 ? null : pyStrip(a.slice(i + 4));
};

/** The question of a verl/DAPO-format row: the content of the last user turn of its `prompt` chat. */
function verlQuestion(row: Record<string, unknown>): unknown {
  const p = row.prompt;
  if (typeof p === "string") return p;
  if (!Array.isArray(p)) return undefined;
  for (let i = p.length - 1; i >= 0; i--) {
    const m = p[i] as { role?: unknown; content?: unknown } | null;
    if (m && m.role === "user") return m.content;
  }
  return undefined;
}

/** Any verl/DAPO-format file (training parquet, curriculum stage files): given by path. */
const VERL: BenchmarkSpec = {
  name: "verl",
  description: "any verl/DAPO-format file (prompt chat, reward_model.ground_truth); --data must be the file",
  folder: "verl",
  file: "data",
  split: "train",
  questionField: "prompt (last user turn, already rendered)",
  goldFrom: "reward_model.ground_truth",
  idFrom: "extra_info.index, else line index",
  defaultPrompt: "raw",
  quirks: ["the prompt column is used as is (it already holds the DAPO instruction)"],
  question: verlQuestion,
  gold: (row) => (row.reward_model as { ground_truth?: unknown } | undefined)?.ground_truth,
  sourceId: (row, i) => {
    const idx = (row.extra_info as { index?: unknown } | undefined)?.index;
    return idx === undefined || idx === null ? String(i) : String(idx);
  },
};

/**
 * The known benchmarks (field maps from `/work/shared/benchmarks/SOURCES.md`). Golds are taken as stored: no
 * normalisation except where the field map itself says how to read them (OlympiadBench `final_answer[0]` stripped
 * of `$`, Minerva's last `\boxed{}` of `solution`, GSM8K's text after `####`); JSON numbers (AMC23 `27.0`) become
 * JS number strings (`"27"`).
 */
export const BENCHMARKS: Readonly<Record<string, BenchmarkSpec>> = {
  math500: {
    name: "math500",
    description: "MATH-500 (PRM800K test split), 500 problems",
    folder: "math500",
    file: "test",
    split: "test",
    rows: 500,
    questionField: "problem",
    goldFrom: "answer (LaTeX string; equals the last \\boxed{} of solution)",
    idFrom: "unique_id",
    defaultPrompt: "opencompass",
    quirks: [],
    question: field("problem"),
    gold: field("answer"),
    sourceId: fieldId("unique_id"),
  },
  aime24: {
    name: "aime24",
    description: "AIME 2024 I + II, 30 problems",
    folder: "aime24",
    file: "test",
    split: "test",
    rows: 30,
    questionField: "problem",
    goldFrom: "answer (string)",
    idFrom: "id",
    defaultPrompt: "opencompass",
    quirks: [
      "7 golds are zero-padded (025, 073, 023, 045, 033, 080, 055): the string checkers compare them as stored, so `25` does not match `025`",
    ],
    question: field("problem"),
    gold: field("answer"),
    sourceId: fieldId("id"),
  },
  aime25: {
    name: "aime25",
    description: "AIME 2025 I + II, 30 problems",
    folder: "aime25",
    file: "test",
    split: "test",
    rows: 30,
    questionField: "problem",
    goldFrom: "answer (string integer)",
    idFrom: "id",
    defaultPrompt: "opencompass",
    quirks: [],
    question: field("problem"),
    gold: field("answer"),
    sourceId: fieldId("id"),
  },
  amc23: {
    name: "amc23",
    description: "AMC 2023 12A + 12B (AI-MO validation set), 40 problems",
    folder: "amc23",
    file: "test",
    split: "test",
    rows: 40,
    questionField: "problem",
    goldFrom: "answer (JSON number such as 27.0, written as JS prints it: 27)",
    idFrom: "id",
    defaultPrompt: "opencompass",
    quirks: ["golds are floats in the file (27.0); JSON parsing makes them 27"],
    question: field("problem"),
    gold: field("answer"),
    sourceId: fieldId("id"),
  },
  olympiadbench: {
    name: "olympiadbench",
    description: "OlympiadBench OE_TO_maths_en_COMP, 675 problems",
    folder: "olympiadbench",
    file: "test",
    split: "test",
    rows: 675,
    questionField: "question",
    goldFrom: "final_answer[0] with surrounding $ stripped (Qwen harness: final_answer[0].strip('$'))",
    idFrom: "id",
    defaultPrompt: "opencompass",
    quirks: [
      "94 rows have several answers in one string (is_multiple_answer)",
      "8 rows have a unit column not in the gold",
    ],
    question: field("question"),
    gold: (row) => {
      const fa = row.final_answer;
      const first = Array.isArray(fa) ? fa[0] : fa;
      return typeof first === "string" ? pyStripChars(first, "$") : first;
    },
    sourceId: fieldId("id"),
  },
  minerva: {
    name: "minerva",
    description: "Minerva Math (MIT OCW), 272 problems",
    folder: "minerva_math",
    file: "test",
    split: "test",
    rows: 272,
    questionField: "problem",
    goldFrom: "last \\boxed{} of solution (no answer field)",
    idFrom: "idx",
    defaultPrompt: "opencompass",
    quirks: ["golds are messy (4.5e33, np.arcsin(10/13), -1./3); minerva-rllm has cleaned alternatives"],
    question: field("problem"),
    gold: (row) => (typeof row.solution === "string" ? removeBoxed(lastBoxedOnlyString(row.solution)) : null),
    sourceId: fieldId("idx"),
  },
  "minerva-rllm": {
    name: "minerva-rllm",
    description: "Minerva Math, rLLM/DeepScaleR copy with lists of acceptable golds, 272 problems",
    folder: "minerva_math_rllm_alt",
    file: "test",
    split: "test",
    rows: 272,
    questionField: "problem",
    goldFrom: "answer (list of acceptable strings; any matches)",
    idFrom: "idx",
    defaultPrompt: "opencompass",
    quirks: ["many golds end with a newline"],
    question: field("problem"),
    gold: field("answer"),
    sourceId: fieldId("idx"),
  },
  gsm8k: {
    name: "gsm8k",
    description: "GSM8K test, 1319 problems",
    folder: "gsm8k",
    file: "test",
    split: "test",
    rows: 1319,
    questionField: "question",
    goldFrom: "text after the last #### of answer, stripped",
    idFrom: "line index",
    defaultPrompt: "opencompass",
    quirks: ["14 golds contain thousands separators (1,000), kept as stored"],
    question: field("question"),
    gold: afterHashes,
    sourceId: indexId,
  },
  "gsm8k-train": {
    name: "gsm8k-train",
    description: "GSM8K train, 7473 problems",
    folder: "gsm8k_train",
    file: "train",
    split: "train",
    rows: 7473,
    questionField: "question",
    goldFrom: "text after the last #### of answer, stripped",
    idFrom: "line index",
    defaultPrompt: "dapo",
    quirks: [],
    question: field("question"),
    gold: afterHashes,
    sourceId: indexId,
  },
  "math-train": {
    name: "math-train",
    description: "MATH train split (DeepScaleR copy, answers pre-extracted), 7474 problems",
    folder: "math_train_deepscaler",
    file: "train",
    split: "train",
    rows: 7474,
    questionField: "problem",
    goldFrom: "answer",
    idFrom: "line index",
    defaultPrompt: "dapo",
    quirks: ["difficulty is 0.0 on 2 rows", "2 rows (line indices 886 and 1009) have a null answer and are skipped"],
    skipMissingGold: true,
    question: field("problem"),
    gold: field("answer"),
    sourceId: indexId,
  },
  verl: VERL,
};

/** The benchmark names, in registry order. */
export const BENCHMARK_NAMES: readonly string[] = Object.keys(BENCHMARKS);
