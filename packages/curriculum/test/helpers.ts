/** Test helpers: verl-format Parquet writing, a known-distribution stand-in generator, the shared-data path. */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import type { Completion, GenerationPrompt, Generator } from "@sentrl/core";
import { parquetWriteBuffer } from "hyparquet-writer";
import { BENCH_DIR } from "../../core/test/shared-data.js";

export const MATH_TRAIN = resolve(BENCH_DIR, "math_train_deepscaler/train.jsonl");
export const HAVE_MATH_TRAIN = existsSync(MATH_TRAIN);

/** The verl / DAPO Parquet schema: prompt = list<struct<content, role>>, reward_model and extra_info structs. */
export const VERL_SCHEMA = [
  { name: "schema", num_children: 5 },
  { name: "data_source", type: "BYTE_ARRAY", converted_type: "UTF8", repetition_type: "OPTIONAL" },
  { name: "prompt", repetition_type: "OPTIONAL", num_children: 1, converted_type: "LIST" },
  { name: "list", repetition_type: "REPEATED", num_children: 1 },
  { name: "element", repetition_type: "OPTIONAL", num_children: 2 },
  { name: "content", type: "BYTE_ARRAY", converted_type: "UTF8", repetition_type: "OPTIONAL" },
  { name: "role", type: "BYTE_ARRAY", converted_type: "UTF8", repetition_type: "OPTIONAL" },
  { name: "ability", type: "BYTE_ARRAY", converted_type: "UTF8", repetition_type: "OPTIONAL" },
  { name: "reward_model", repetition_type: "OPTIONAL", num_children: 2 },
  { name: "ground_truth", type: "BYTE_ARRAY", converted_type: "UTF8", repetition_type: "OPTIONAL" },
  { name: "style", type: "BYTE_ARRAY", converted_type: "UTF8", repetition_type: "OPTIONAL" },
  { name: "extra_info", repetition_type: "OPTIONAL", num_children: 2 },
  { name: "index", type: "INT64", repetition_type: "OPTIONAL" },
  { name: "split", type: "BYTE_ARRAY", converted_type: "UTF8", repetition_type: "OPTIONAL" },
];

export interface VerlRow {
  data_source: string;
  prompt: { content: string; role: string }[];
  ability: string;
  reward_model: { ground_truth: string; style: string };
  extra_info: { index: bigint; split: string };
}

/** Writes rows in the verl schema (with an `ARROW:schema`-like key that must not survive added columns). */
export function verlParquet(rows: VerlRow[]): Uint8Array {
  const names = ["data_source", "prompt", "ability", "reward_model", "extra_info"] as const;
  const buf = parquetWriteBuffer({
    // biome-ignore lint/suspicious/noExplicitAny: hyparquet-writer schema elements
    schema: VERL_SCHEMA as any,
    columnData: names.map((name) => ({ name, data: rows.map((r) => r[name]) })),
    kvMetadata: [
      { key: "ARROW:schema", value: "stale" },
      { key: "origin", value: "test" },
    ],
  });
  return new Uint8Array(buf);
}

/** One planned response: the gold, the k-th wrong answer, or no answer. */
export type Planned = { kind: "gold" } | { kind: "wrong"; k: number } | { kind: "invalid" };

/**
 * The known answer distribution of problem i over 8 samples: gold i mod 9 times, the rest cycling over
 * 1 + (i mod 3) wrong answers, and (for i mod 5 = 0, when any non-gold slot exists) one response with no answer.
 */
export function plan(i: number, m = 8): Planned[] {
  const gold = i % (m + 1);
  const kinds = 1 + (i % 3);
  const out: Planned[] = [];
  for (let j = 0; j < m; j++) out.push(j < gold ? { kind: "gold" } : { kind: "wrong", k: (j - gold) % kinds });
  if (i % 5 === 0 && gold < m) out[m - 1] = { kind: "invalid" };
  // interleave deterministically so clusters are not contiguous
  return out.map((_, j) => out[(j * 3) % m]);
}

/** The discrete SE of a plan, from its labels alone (each invalid is its own singleton cluster). */
export function expectedDiscreteSE(p: Planned[]): number {
  const counts = new Map<string, number>();
  p.forEach((x, j) => {
    const key = x.kind === "gold" ? "gold" : x.kind === "wrong" ? `w${x.k}` : `inv${j}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  });
  let h = 0;
  for (const c of counts.values()) h -= (c / p.length) * Math.log(c / p.length);
  return h;
}

/** Response text for a planned answer (odd problems answer in `\boxed{}`, even ones on an `Answer:` line). */
export function responseText(i: number, gold: string, x: Planned): string {
  const body = `Let me think about problem ${i} step by step.\nSome algebra here.`;
  if (x.kind === "invalid") return `${body}\nI could not finish.`;
  const ans = x.kind === "gold" ? gold : String(7_000_001 + x.k);
  return i % 2 === 1 ? `${body}\nSo the result is $\\boxed{${ans}}$.` : `${body}\nAnswer: ${ans}`;
}

/** A stand-in generator answering from `plan`; `golds` maps prompt id → (problem index, gold). */
export function plannedGenerator(
  golds: Map<string, { i: number; gold: string }>,
  opts: { delayMs?: number; calls?: string[][] } = {},
): Generator {
  return {
    spec: "test:planned",
    async generate(prompts: GenerationPrompt[], o): Promise<Completion[][]> {
      opts.calls?.push(prompts.map((p) => p.id));
      if (opts.delayMs) await new Promise((r) => setTimeout(r, opts.delayMs));
      return prompts.map((p) => {
        const g = golds.get(p.id);
        if (!g) throw new Error(`unknown prompt ${p.id}`);
        return plan(g.i, o.n).map((x) => ({ text: responseText(g.i, g.gold, x), finishReason: "stop" }));
      });
    },
  };
}
