import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { runCli } from "./fake-io.js";

const ROOT = resolve(__dirname, "..", "..", "..");
const N_PROBLEMS = 24;
const N = 4;

/** A toy benchmark in the aime24 layout plus a replay file: sample j of problem i is right when (i + j) % 3 != 0. */
function fixture() {
  const dir = mkdtempSync(join(tmpdir(), "sentrl-eval-cli-"));
  mkdirSync(join(dir, "data", "aime24"), { recursive: true });
  const rows = Array.from({ length: N_PROBLEMS }, (_, i) => ({
    id: 100 + i,
    problem: `Compute ${i} times 3.`,
    answer: String(3 * i),
  }));
  writeFileSync(join(dir, "data", "aime24", "test.jsonl"), `${rows.map((r) => JSON.stringify(r)).join("\n")}\n`);
  const replay = rows.map((r, i) => ({
    id: `aime24/${r.id}`,
    responses: Array.from({ length: N }, (_, j) =>
      (i + j) % 3 !== 0 ? `Work.\n\\boxed{${3 * i}}` : j === 1 ? "No idea." : `\\boxed{${3 * i + 1}}`,
    ),
  }));
  writeFileSync(join(dir, "replay.jsonl"), `${replay.map((r) => JSON.stringify(r)).join("\n")}\n`);
  return dir;
}

const evalArgs = (dir: string, out: string, generator: string) => [
  "eval",
  "--benchmark",
  "aime24",
  "--data",
  join(dir, "data"),
  "--generator",
  generator,
  "--n",
  String(N),
  "--k",
  "1,2,4",
  "--out",
  out,
  "--batch-size",
  "1",
];

async function cli(args: string[]) {
  const { code, stdout: out, stderr: err } = await runCli(args);
  return { code, out, err };
}

/**
 * A real `sentrl eval` process: the CLI's `main` run from source, with a `slow:` generator scheme registered that
 * replays the file above after SLOW_MS per generate call (so the test can kill it mid-run).
 */
function writeWrapper(dir: string): string {
  const file = join(dir, "sentrl-slow.mts");
  const generators = pathToFileURL(join(ROOT, "packages", "generators", "src", "index.ts")).href;
  const cli = pathToFileURL(join(ROOT, "apps", "sentrl", "src", "cli.ts")).href;
  writeFileSync(
    file,
    `import { createReplayGenerator, registerGeneratorScheme } from ${JSON.stringify(generators)};
import { main } from ${JSON.stringify(cli)};
const ms = Number(process.env.SLOW_MS ?? "0");
registerGeneratorScheme("slow", async (spec) => {
  const inner = await createReplayGenerator(spec.target, { spec: spec.spec });
  return { spec: spec.spec, async generate(p, o) { await new Promise((r) => setTimeout(r, ms)); return inner.generate(p, o); } };
});
process.exitCode = await main(process.argv.slice(2));
`,
  );
  return file;
}

function spawnEval(wrapper: string, args: string[], slowMs: number) {
  const child = spawn(process.execPath, ["--conditions=source", "--import", "tsx", wrapper, ...args], {
    cwd: ROOT,
    env: { ...process.env, SLOW_MS: String(slowMs) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>(
    (res) => child.on("close", (code, signal) => res({ code, signal, stdout, stderr })),
  );
  return { child, done };
}

const countLines = (p: string) => (existsSync(p) ? readFileSync(p, "utf8").split("\n").filter(Boolean).length : 0);

describe("sentrl eval", () => {
  it("evaluates a replay generator and prints the summary; progress goes to stderr", async () => {
    const dir = fixture();
    const out = join(dir, "out");
    const r = await cli(evalArgs(dir, out, `replay:${join(dir, "replay.jsonl")}`));
    expect(r.err).toContain(`sentrl eval: ${N_PROBLEMS}/${N_PROBLEMS} problems, ${N_PROBLEMS * N} samples`);
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.out);
    expect(summary).toEqual(JSON.parse(readFileSync(join(out, "summary.json"), "utf8")));
    expect(summary.checker).toBe("opencompass-v2");
    expect(summary.sampling).toEqual({ temperature: 0.6, topP: 0.95, topK: null, maxTokens: 8000, seed: null });
    // (i + j) % 3 != 0 is right: 2 of every 3 samples.
    expect(summary.accuracy).toBeCloseTo((100 * 64) / 96, 10);
    expect(summary.metrics["pass@4"].value).toBe(100);
    expect(readFileSync(join(out, "summary.md"), "utf8")).toContain("| avg@k |");
  });

  it("reports usage errors (exit 2) and k above n", async () => {
    const dir = fixture();
    expect((await cli(["eval", "--benchmark", "aime24"])).code).toBe(2);
    const r = await cli([...evalArgs(dir, join(dir, "o"), `replay:${join(dir, "replay.jsonl")}`), "--k", "8"]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^sentrl: EVAL_BAD_K:/);
  });

  it("a SIGKILLed run resumes and produces the same summary as an uninterrupted run", async () => {
    const dir = fixture();
    const wrapper = writeWrapper(dir);
    const spec = `slow:${join(dir, "replay.jsonl")}`;

    const whole = await spawnEval(wrapper, evalArgs(dir, join(dir, "whole"), spec), 0).done;
    expect(whole.stderr).not.toContain("sentrl: ");
    expect(whole.code).toBe(0);

    const killedOut = join(dir, "killed");
    const details = join(killedOut, "details.jsonl");
    const first = spawnEval(wrapper, evalArgs(dir, killedOut, spec), 150);
    for (let t = 0; t < 600 && countLines(details) < 3 * N; t++) await new Promise((r) => setTimeout(r, 25));
    first.child.kill("SIGKILL");
    const killed = await first.done;
    expect(killed.signal).toBe("SIGKILL");
    const kept = countLines(details);
    expect(kept).toBeGreaterThanOrEqual(3 * N);
    expect(kept).toBeLessThan(N_PROBLEMS * N);
    expect(existsSync(join(killedOut, "summary.json"))).toBe(false);

    const again = await spawnEval(wrapper, evalArgs(dir, killedOut, spec), 0).done;
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/resumed/);
    const a = JSON.parse(readFileSync(join(dir, "whole", "summary.json"), "utf8"));
    const b = JSON.parse(readFileSync(join(killedOut, "summary.json"), "utf8"));
    expect(b).toEqual(a);
    expect(JSON.parse(again.stdout)).toEqual(a);
    const lines = readFileSync(details, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(N_PROBLEMS * N);
    expect(new Set(lines.map((l) => `${l.id}#${l.sample}`)).size).toBe(N_PROBLEMS * N);
  });
});
