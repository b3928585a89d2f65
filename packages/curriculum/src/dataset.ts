/**
 * Datasets for the curriculum: JSONL and Parquet in, stage files out in the same format with every input column
 * unchanged plus `semantic_entropy` (DOUBLE) and `stage` (INT32, 1-based) (docs/contracts.md §8).
 *
 * Parquet goes through `hyparquet` / `hyparquet-writer` and keeps the input's own schema, so nested columns (verl's
 * `prompt` list of structs, `reward_model` and `extra_info` structs) round-trip. Writer-specific key-value metadata
 * that describes the columns (`ARROW:schema`, `pandas`, `huggingface`) is dropped, since the stage files add columns
 * and a stale copy would make pyarrow / datasets reject them; other key-value metadata is kept.
 */
import { readFileSync } from "node:fs";
import { extname } from "node:path";
import { parseJsonLines, SentrlError, writeFileAtomicSync } from "@sentrl/core";
import { loadedParquetCodec, loadParquetCodec } from "./parquet-codec.js";

export type DatasetFormat = "jsonl" | "parquet";

/** A parquet schema element as hyparquet reads it. */
export type ParquetSchemaElement = Record<string, unknown> & { name: string; num_children?: number };

export interface Dataset {
  format: DatasetFormat;
  /** Rows as objects (Parquet INT64 values are BigInt). */
  rows: Record<string, unknown>[];
  /** JSONL: the original lines (written back byte-for-byte, with the two new fields appended). */
  lines?: string[];
  /** Parquet: the file's schema (flattened, root first) and its key-value metadata. */
  parquet?: { schema: ParquetSchemaElement[]; kvMetadata: { key: string; value?: string }[] };
}

/** Columns the curriculum adds to every stage row. */
export const SE_COLUMN = "semantic_entropy";
export const STAGE_COLUMN = "stage";

/** Key-value metadata entries that describe the columns and must not be copied onto files with new columns. */
const SCHEMA_METADATA_KEYS = new Set(["ARROW:schema", "pandas", "huggingface"]);

/** `jsonl` for .jsonl/.json/.ndjson, `parquet` for .parquet; anything else is an error. */
export function datasetFormat(path: string): DatasetFormat {
  const ext = extname(path).toLowerCase();
  if (ext === ".parquet") return "parquet";
  if (ext === ".jsonl" || ext === ".ndjson" || ext === ".json") return "jsonl";
  throw new SentrlError(
    "DATASET_UNKNOWN_FORMAT",
    `cannot tell the format of \`${path}\`; use a .jsonl or .parquet file`,
  );
}

/** Parses JSONL text (blank lines skipped) keeping each original line. */
export function parseJsonl(text: string, source = "input"): { rows: Record<string, unknown>[]; lines: string[] } {
  const parsed = parseJsonLines(text, { source, code: "DATASET_BAD_JSONL", objects: true });
  return { rows: parsed.map((l) => l.value as Record<string, unknown>), lines: parsed.map((l) => l.text) };
}

/**
 * Reads a JSONL or Parquet dataset.
 *
 * @example
 * const ds = await readDataset("train.parquet");
 * ds.rows[0].prompt; // [{ content: "...", role: "user" }]
 */
export async function readDataset(path: string): Promise<Dataset> {
  const format = datasetFormat(path);
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new SentrlError("DATASET_NOT_FOUND", `cannot read \`${path}\`: ${(e as Error).message}`);
  }
  if (format === "jsonl") {
    const { rows, lines } = parseJsonl(bytes.toString("utf8"), path);
    return { format, rows, lines };
  }
  const ab = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const { parquetMetadata, parquetReadObjects } = await loadParquetCodec();
  let md: ReturnType<typeof parquetMetadata>;
  try {
    md = parquetMetadata(ab);
  } catch (e) {
    throw new SentrlError("DATASET_BAD_PARQUET", `\`${path}\` is not a readable Parquet file: ${(e as Error).message}`);
  }
  const rows = (await parquetReadObjects({ file: ab, metadata: md })) as Record<string, unknown>[];
  const schema = (md.schema as unknown as ParquetSchemaElement[]).map((e) => ({ ...e }));
  const kvMetadata = (md.key_value_metadata ?? []).map((kv) => ({ key: kv.key, value: kv.value }));
  return { format, rows, parquet: { schema, kvMetadata } };
}

/** Top-level column names and the span of schema elements each occupies (root excluded). */
function topLevelColumns(schema: ParquetSchemaElement[]): { name: string; start: number; end: number }[] {
  const out: { name: string; start: number; end: number }[] = [];
  let i = 1;
  const skip = (k: number): number => {
    let j = k + 1;
    for (let c = 0; c < (schema[k].num_children ?? 0); c++) j = skip(j);
    return j;
  };
  while (i < schema.length) {
    const end = skip(i);
    out.push({ name: schema[i].name, start: i, end });
    i = end;
  }
  return out;
}

/** The rows' own stage-file line: the original JSONL text with the new fields appended (or re-serialised if present). */
function jsonlStageLine(line: string, row: Record<string, unknown>, se: number, stage: number): string {
  if (!(SE_COLUMN in row) && !(STAGE_COLUMN in row)) {
    const t = line.trimEnd();
    const body = t.slice(0, -1).trimEnd();
    const sep = body.endsWith("{") ? "" : ",";
    return `${body}${sep}"${SE_COLUMN}":${JSON.stringify(se)},"${STAGE_COLUMN}":${stage}}`;
  }
  return JSON.stringify({ ...row, [SE_COLUMN]: se, [STAGE_COLUMN]: stage });
}

/**
 * Serialises the given rows of a dataset (in that order) with their SE and 1-based stage, in the dataset's format.
 *
 * @example
 * const bytes = encodeStageRows(ds, [3, 0], [0.1, 0.4], 1);
 */
export function encodeStageRows(
  ds: Dataset,
  indices: readonly number[],
  se: ArrayLike<number>,
  stage: number,
): Uint8Array | string {
  if (ds.format === "jsonl") {
    const lines = ds.lines ?? ds.rows.map((r) => JSON.stringify(r));
    let out = "";
    for (const i of indices) out += `${jsonlStageLine(lines[i], ds.rows[i], se[i], stage)}\n`;
    return out;
  }
  const pq = ds.parquet;
  if (!pq) throw new SentrlError("DATASET_NO_SCHEMA", "a parquet dataset needs its schema; read it with readDataset");
  const cols = topLevelColumns(pq.schema).filter((c) => c.name !== SE_COLUMN && c.name !== STAGE_COLUMN);
  const schema: ParquetSchemaElement[] = [{ ...pq.schema[0], num_children: cols.length + 2 }];
  for (const c of cols) for (let k = c.start; k < c.end; k++) schema.push(pq.schema[k]);
  schema.push({ name: SE_COLUMN, type: "DOUBLE", repetition_type: "OPTIONAL" });
  schema.push({ name: STAGE_COLUMN, type: "INT32", repetition_type: "OPTIONAL" });
  const columnData = cols.map((c) => ({ name: c.name, data: indices.map((i) => ds.rows[i][c.name] ?? null) }));
  columnData.push({ name: SE_COLUMN, data: indices.map((i) => se[i]) });
  columnData.push({ name: STAGE_COLUMN, data: indices.map(() => stage) });
  const kvMetadata = pq.kvMetadata.filter((kv) => !SCHEMA_METADATA_KEYS.has(kv.key));
  const buf = loadedParquetCodec().parquetWriteBuffer({
    // biome-ignore lint/suspicious/noExplicitAny: hyparquet's SchemaElement is structurally what we read back
    schema: schema as any,
    // biome-ignore lint/suspicious/noExplicitAny: column data arrays of mixed JS values
    columnData: columnData as any,
    kvMetadata: kvMetadata.length > 0 ? kvMetadata : undefined,
    createdBy: "sentrl curriculum (hyparquet-writer)",
  });
  return new Uint8Array(buf);
}

/** Writes stage rows atomically (temp file + rename). */
export function writeStageFile(
  path: string,
  ds: Dataset,
  indices: readonly number[],
  se: ArrayLike<number>,
  stage: number,
): void {
  writeFileAtomicSync(path, encodeStageRows(ds, indices, se, stage));
}
