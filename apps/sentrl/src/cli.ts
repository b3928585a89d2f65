import { readFileSync } from "node:fs";
import { isSentrlError } from "@sentrl/core";
import type { CliIO } from "./command.js";
import { COMMANDS } from "./commands.js";
import { registerAppGenerators } from "./generators.js";
import { boundMessage } from "./io/format-value.js";
import { fromSystemError, isSystemError } from "./io/fs-errors.js";
import { installStreamGuards } from "./io/std-streams.js";

/** The app's own version, read from its package.json (one folder above both src/ and dist/). */
const VERSION = (JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string })
  .version;

function topHelp(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((k) => k.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return [
    "sentrl: reinforcement learning with verifiable rewards for LLM reasoners (SENT: semantic + token entropy)",
    "",
    "Usage: sentrl <command> [options]",
    "",
    "Commands:",
    ...lines,
    "",
    "Run `sentrl <command> --help` for a command's options. JSON goes in on stdin and out on stdout;",
    "errors go to stderr as `sentrl: <CODE>: <message>` (exit 1; exit 2 for usage errors).",
    "",
  ].join("\n");
}

/** Entry point used by bin/sentrl.mjs and by tests. Returns the exit code. */
export async function main(argv: string[], io: CliIO = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env }): Promise<number> {
  if (io.stdout === process.stdout) installStreamGuards();
  const [name, ...rest] = argv;
  if (name === undefined) {
    // A usage error: the overview goes to stderr (stdout carries only JSON, docs/contracts.md §1).
    io.stderr.write(topHelp());
    return 2;
  }
  if (name === "--help" || name === "-h" || name === "help") {
    io.stdout.write(topHelp());
    return 0;
  }
  if (name === "--version" || name === "-v") {
    io.stdout.write(`${VERSION}\n`);
    return 0;
  }
  const entry = COMMANDS[name];
  if (!entry) {
    io.stderr.write(`sentrl: USAGE: unknown command \`${name}\`; commands: ${Object.keys(COMMANDS).join(", ")}\n`);
    return 2;
  }
  try {
    // `local:` generator specs (our own model) for every command that builds a generator; loads nothing yet.
    registerAppGenerators();
    const cmd = await entry.load();
    if (rest.includes("--help") || rest.includes("-h")) {
      io.stdout.write(cmd.help.endsWith("\n") ? cmd.help : `${cmd.help}\n`);
      return 0;
    }
    return await cmd.run(rest, io);
  } catch (e) {
    return reportError(e, io);
  }
}

/** Where INTERNAL errors (bugs) should be reported. */
export const REPORT_URL = "https://github.com/sentrl/sentrl/issues";

/**
 * Prints a failure as one line `sentrl: <CODE>: <message>` (bounded; never a stack trace) and returns the exit
 * code: 2 for usage errors, 1 otherwise. Operating-system errors get their documented codes (NO_SPACE, ...).
 */
export function reportError(e: unknown, io: Pick<CliIO, "stderr" | "env">): number {
  const err = isSystemError(e) ? fromSystemError(e) : e;
  // Node's own `ERR_*` codes (ERR_MODULE_NOT_FOUND, ...) are not ours: they are reported as INTERNAL.
  const ours = isSentrlError(err) && !err.code.startsWith("ERR_");
  let line: string;
  if (ours) line = `${err.code}: ${err.message}`;
  else {
    const msg = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    line = `INTERNAL: ${msg.split("\n")[0]} (a bug in sentrl: please report it with the command you ran at ${REPORT_URL})`;
  }
  let text = `sentrl: ${boundMessage(line.replace(/\s*\r?\n\s*/g, " "))}\n`;
  // The stack only on request (SENTRL_DEBUG=1), for whoever fixes the bug.
  if (io.env.SENTRL_DEBUG === "1" && err instanceof Error && err.stack) text += `${err.stack}\n`;
  try {
    io.stderr.write(text);
  } catch {
    // stderr is gone: the exit status still tells
  }
  return ours && err.code === "USAGE" ? 2 : 1;
}
