import { parseArgs, type ParseArgsConfig } from "node:util";
import { UsageError } from "./usage-error.js";
import { jsonTooDeepAt, tooDeepMessage } from "./io/json-depth.js";

/** What a command gets from the process: its arguments and the three streams. */
export interface CliIO {
  stdin: NodeJS.ReadableStream;
  stdout: { write(chunk: string): unknown };
  stderr: { write(chunk: string): unknown };
  env: NodeJS.ProcessEnv;
}

/** One `sentrl <name>` command. Each lives in its own module under `commands/`, imported only when run. */
export interface Command {
  /** Full `--help` text. */
  help: string;
  /** Runs the command; returns the exit code. Throw SentrlError / UsageError for failures. */
  run(args: string[], io: CliIO): Promise<number>;
}

type Options = NonNullable<ParseArgsConfig["options"]>;

/** `util.parseArgs` with strict checking; its errors become usage errors (exit 2). */
export function parseCommandArgs(
  args: string[],
  options: Options,
  allowPositionals = false,
): { values: Record<string, string | boolean | (string | boolean)[] | undefined>; positionals: string[] } {
  try {
    return parseArgs({ args, options: { ...options, help: { type: "boolean", short: "h" } }, strict: true, allowPositionals });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/** Reads all of stdin as UTF-8. */
export async function readStdin(stdin: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stdin) chunks.push(typeof c === "string" ? Buffer.from(c) : (c as Buffer));
  return Buffer.concat(chunks).toString("utf8");
}

/** Parses a `--config '<json>'` value (an object) or returns {} when absent. */
export function parseJsonOption(value: string | undefined, flag: string): Record<string, unknown> {
  if (value === undefined) return {};
  let parsed: unknown;
  const deep = jsonTooDeepAt(value);
  if (deep >= 0) throw new UsageError(tooDeepMessage(flag, deep));
  try {
    parsed = JSON.parse(value);
  } catch (e) {
    throw new UsageError(`${flag} is not valid JSON: ${(e as Error).message}`);
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) throw new UsageError(`${flag} must be a JSON object`);
  return parsed as Record<string, unknown>;
}
