import { SentrlError } from "../errors.js";

/** One non-blank line of a JSON Lines text: the parsed value, the line as written (no `\r`), its 1-based number. */
export interface JsonLine {
  value: unknown;
  text: string;
  lineNo: number;
}

export interface ParseJsonLinesOptions {
  /** Names the text in errors (a path): `<source>:<line>: ...`. Default `input`. */
  source?: string;
  /** Error code of a bad line. Default `JSONL_BAD_LINE`. */
  code?: string;
  /** Require every line to be a JSON object (not an array, string, number or null). Default false. */
  objects?: boolean;
  /** Appended to error messages (`...; <hint>`), e.g. the expected record shape or what to do. */
  hint?: string;
}

/**
 * Parses JSON Lines text: one JSON value per line, `\n` or `\r\n` line ends, blank lines skipped (but counted).
 * A line that is not JSON (or, with `objects`, not an object) throws `SentrlError(code, "<source>:<line>: ...")`.
 *
 * @example
 * ```ts
 * import { parseJsonLines } from "@sentrl/core";
 * const lines = parseJsonLines('{"id":"a"}\n\n{"id":"b"}\n', { source: "data.jsonl", objects: true });
 * lines.map((l) => [l.lineNo, l.value]); // [[1, { id: "a" }], [3, { id: "b" }]]
 * ```
 */
export function parseJsonLines(text: string, options: ParseJsonLinesOptions = {}): JsonLine[] {
  const { source = "input", code = "JSONL_BAD_LINE", objects = false, hint } = options;
  const fail = (lineNo: number, what: string) =>
    new SentrlError(code, `${source}:${lineNo}: ${what}${hint ? `; ${hint}` : ""}`);
  const out: JsonLine[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].endsWith("\r") ? lines[i].slice(0, -1) : lines[i];
    if (line.trim() === "") continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (e) {
      throw fail(i + 1, `not valid JSON (${(e as Error).message})`);
    }
    if (objects && (value === null || typeof value !== "object" || Array.isArray(value)))
      throw fail(i + 1, "not a JSON object");
    out.push({ value, text: line, lineNo: i + 1 });
  }
  return out;
}
