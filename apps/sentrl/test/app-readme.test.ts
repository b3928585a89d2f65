// The command reference (apps/sentrl/README.md) runs as written: every ```sh block preceded by `<!-- test -->` is
// executed line by line in one scratch folder, in order. A line with a `sentrl` stage runs the command in-process
// (`main` with a fake CliIO) on the stdout of the bash pipeline before it; any other line runs in bash. The
// `# → ` lines under a command are its stdout, one per output line (JSON compared by value, or as a prefix of the
// compact JSON when the line ends in `…`); `# stderr, exit N → ` is the error line and the exit code.
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { COMMANDS } from "../src/commands.js";
import { runCli } from "./fake-io.js";

const README = join(__dirname, "..", "README.md");
const MODEL_FIXTURE = join(__dirname, "..", "..", "..", "packages", "model", "test", "fixtures", "qwen2-tied-gqa1");

interface Expectation {
  stream: "stdout" | "stderr";
  exit?: number;
  text: string;
}

interface Step {
  line: string;
  expected: Expectation[];
}

/** The runnable blocks: each a list of commands (continuations joined) with the expectations written under them. */
function runnableBlocks(markdown: string): Step[][] {
  const blocks = [...markdown.matchAll(/<!-- test -->\n```sh\n([\s\S]*?)```/g)].map((m) => m[1] as string);
  return blocks.map((body) => {
    const steps: Step[] = [];
    for (const line of body.replace(/\\\n\s*/g, " ").split("\n")) {
      if (line.trim() === "") continue;
      const out = /^# → (.*)$/.exec(line);
      const err = /^# stderr, exit (\d) → (.*)$/.exec(line);
      if (out || err) {
        const step = steps.at(-1);
        if (!step) throw new Error(`expectation before any command: ${line}`);
        step.expected.push(
          out
            ? { stream: "stdout", text: out[1] as string }
            : { stream: "stderr", exit: Number(err?.[1]), text: err?.[2] as string },
        );
      } else if (!line.startsWith("#")) steps.push({ line, expected: [] });
    }
    return steps;
  });
}

/** Shell words of `s`: single-quoted strings and bare words (all the README uses). */
function shellWords(s: string): string[] {
  return [...s.matchAll(/'([^']*)'|(\S+)/g)].map((m) => (m[1] ?? m[2]) as string);
}

/** One output line in comparable form: compact JSON when it parses, else the text itself. */
function compact(line: string): string {
  try {
    return JSON.stringify(JSON.parse(line));
  } catch {
    return line;
  }
}

/** stdout as lines: one compact document when the whole output is one (pretty-printed) JSON value, else per line. */
function outputLines(stdout: string): string[] {
  const text = stdout.trimEnd();
  if (text === "") return [];
  try {
    return [JSON.stringify(JSON.parse(text))];
  } catch {
    return text.split("\n").map(compact);
  }
}

function matches(actual: string | undefined, expected: string): boolean {
  if (actual === undefined) return false;
  if (expected.endsWith("…")) return actual.startsWith(expected.slice(0, -1));
  try {
    return JSON.stringify(JSON.parse(expected)) === actual;
  } catch {
    return actual === expected;
  }
}

async function runStep(step: Step, cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const m = /^(?:(.*)\|\s*)?sentrl (.*)$/.exec(step.line);
  if (!m) {
    const stdout = execFileSync("bash", ["-c", step.line], { cwd, encoding: "utf8" });
    return { code: 0, stdout, stderr: "" };
  }
  const stdin = m[1] ? execFileSync("bash", ["-c", m[1]], { cwd, encoding: "utf8" }) : "";
  return runCli(shellWords(m[2] as string), stdin);
}

const blocks = runnableBlocks(readFileSync(README, "utf8"));

describe("apps/sentrl/README.md examples", () => {
  let dir = "";
  const home = process.cwd();
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "sentrl-app-readme-"));
    cpSync(join(MODEL_FIXTURE, "config.json"), join(dir, "tiny-qwen2", "config.json"));
    cpSync(join(MODEL_FIXTURE, "model.safetensors"), join(dir, "tiny-qwen2", "model.safetensors"));
    // The tiny ONNX NLI model of tools/onnx/tiny_bert.py, for the `sentrl se --clustering nli` example.
    cpSync(join(__dirname, "..", "..", "..", "tools", "onnx", "models", "tiny-nli"), join(dir, "tiny-nli"), {
      recursive: true,
    });
    process.chdir(dir);
  });
  afterAll(() => {
    process.chdir(home);
    rmSync(dir, { recursive: true, force: true });
  });

  it("has a tested example, with its output, for every command", () => {
    const tested = new Set(
      blocks.flat().flatMap((s) => (/sentrl (\S+)/.exec(s.line)?.[1] ? [/sentrl (\S+)/.exec(s.line)?.[1]] : [])),
    );
    expect([...tested].sort()).toEqual(Object.keys(COMMANDS).sort());
    for (const step of blocks.flat())
      if (/sentrl /.test(step.line)) expect(step.expected.length, step.line).toBeGreaterThan(0);
  });

  it.each(blocks.map((b, i) => [i + 1, b] as const))("block %i prints what the README shows", async (_i, steps) => {
    for (const step of steps) {
      const r = await runStep(step, dir);
      const errorLine = step.expected.find((e) => e.stream === "stderr");
      if (errorLine) {
        expect(r.code, step.line).toBe(errorLine.exit);
        expect(r.stdout, step.line).toBe("");
        expect(matches(r.stderr.trimEnd(), errorLine.text), `${step.line}\nstderr: ${r.stderr}`).toBe(true);
        continue;
      }
      expect(r.code, `${step.line}\nstderr: ${r.stderr}`).toBe(0);
      const lines = outputLines(r.stdout);
      const wanted = step.expected.map((e) => e.text);
      expect(lines.length, `${step.line}\nstdout: ${r.stdout}`).toBe(wanted.length);
      wanted.forEach((w, k) => {
        expect(matches(lines[k], w), `${step.line}\nline ${k}: ${lines[k]}\nexpected: ${w}`).toBe(true);
      });
    }
  });
});
