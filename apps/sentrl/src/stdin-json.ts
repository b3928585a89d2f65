import { createInterface } from "node:readline";
import { SentrlError } from "@sentrl/core";
import { readStdin } from "./command.js";
import { jsonTooDeepAt, tooDeepMessage } from "./io/json-depth.js";

// Reading JSON from stdin for the JSON-in/JSON-out commands: one document (`loss`, `advantages`) or JSON Lines
// streamed line by line (`grade`, `se`). Every failure is a SentrlError with the command's own code.

/** A bare `NaN` / `Infinity` / `-Infinity` outside a string: JSON has no such literals, but Python's json writes them. */
const NON_FINITE_LITERAL = /(^|[^A-Za-z"])(NaN|-?Infinity)([^A-Za-z"]|$)/;

export interface JsonStdinErrors {
  /** Code of empty or invalid input, e.g. `LOSS_BAD_INPUT`. */
  code: string;
  /** What to pipe, ending the empty-input message: `stdin is empty; pipe <pipe>`. */
  pipe: string;
  /** Code when the text holds NaN/Infinity literals (default `code`). */
  nonFiniteCode?: string;
  /** The rule that ends the NaN/Infinity message: `the input contains NaN or Infinity; <finiteRule>`. */
  finiteRule: string;
}

/**
 * Reads all of stdin and parses it as one JSON document.
 *
 * @example
 * const input = await readJsonStdin(io.stdin, {
 *   code: "ADV_BAD_INPUT",
 *   pipe: '{"rewards":[..],"groups":[..]}',
 *   finiteRule: "rewards must be finite numbers",
 * });
 */
export async function readJsonStdin(stdin: NodeJS.ReadableStream, errors: JsonStdinErrors): Promise<unknown> {
  const text = await readStdin(stdin);
  if (text.trim() === "") throw new SentrlError(errors.code, `stdin is empty; pipe ${errors.pipe}`);
  const deep = jsonTooDeepAt(text);
  if (deep >= 0) throw new SentrlError(errors.code, tooDeepMessage("stdin", deep));
  try {
    return JSON.parse(text);
  } catch (e) {
    if (NON_FINITE_LITERAL.test(text)) {
      throw new SentrlError(
        errors.nonFiniteCode ?? errors.code,
        `the input contains NaN or Infinity; ${errors.finiteRule}`,
      );
    }
    throw new SentrlError(errors.code, `stdin is not valid JSON: ${(e as Error).message}`);
  }
}

/** One parsed line of a JSON Lines stdin, with its 1-based line number (blank lines are skipped but counted). */
export interface JsonLine {
  value: unknown;
  lineNo: number;
}

/**
 * Streams stdin as JSON Lines: yields each non-blank line parsed; a line that is not JSON throws
 * `SentrlError(code, "stdin line N is not valid JSON: ...")`.
 *
 * @example
 * for await (const { value, lineNo } of jsonLinesFromStdin(io.stdin, "GRADE_BAD_INPUT")) handle(value, lineNo);
 */
export async function* jsonLinesFromStdin(stdin: NodeJS.ReadableStream, code: string): AsyncGenerator<JsonLine> {
  const lines = createInterface({ input: stdin, crlfDelay: Number.POSITIVE_INFINITY });
  let lineNo = 0;
  for await (const line of lines) {
    lineNo++;
    if (line.trim() === "") continue;
    let value: unknown;
    const deep = jsonTooDeepAt(line);
    if (deep >= 0) throw new SentrlError(code, tooDeepMessage(`stdin line ${lineNo}`, deep));
    try {
      value = JSON.parse(line);
    } catch (e) {
      throw new SentrlError(code, `stdin line ${lineNo} is not valid JSON: ${(e as Error).message}`);
    }
    yield { value, lineNo };
  }
}
