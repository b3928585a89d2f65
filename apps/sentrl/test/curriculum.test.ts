import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseJsonl } from "@sentrl/curriculum";
import { describe, expect, it } from "vitest";
import {
  expectedDiscreteSE,
  HAVE_MATH_TRAIN,
  MATH_TRAIN,
  plan,
  responseText,
} from "../../../packages/curriculum/test/helpers.js";
import { main } from "../src/cli.js";
import { fakeIO } from "./fake-io.js";

const ROOT = resolve(__dirname, "../../..");

const io = (env: Record<string, string> = {}) => fakeIO("", env);

/** A dataset of `n` toy problems and a replay file whose answers follow `plan(i)` (known SE per problem). */
function toyData(
  dir: string,
  n: number,
  opts: { logLik?: boolean } = {},
): { data: string; replay: string; golds: string[] } {
  const golds = Array.from({ length: n }, (_, i) => String(i * 3 + 1));
  const data = join(dir, "data.jsonl");
  writeFileSync(
    data,
    `${golds.map((g, i) => JSON.stringify({ id: `p${i}`, problem: `What is ${i} * 3 + 1?`, answer: g })).join("\n")}\n`,
  );
  const replay = join(dir, "replay.jsonl");
  const recs = golds.map((g, i) => {
    const responses = plan(i).map((x) => responseText(i, g, x));
    return {
      id: `p${i}`,
      responses,
      ...(opts.logLik ? { logLik: responses.map(() => -10), lengths: responses.map(() => 10) } : {}),
    };
  });
  writeFileSync(replay, `${recs.map((r) => JSON.stringify(r)).join("\n")}\n`);
  return { data, replay, golds };
}

/** `sentrl curriculum build` over `data` with the `replay:` generator, writing to `out`; `rest` adds options. */
const buildArgs = (data: string, replay: string, out: string, ...rest: string[]): string[] => [
  "curriculum",
  "build",
  "--data",
  data,
  "--generator",
  `replay:${replay}`,
  "--out",
  out,
  ...rest,
];

describe("sentrl curriculum build", () => {
  it("builds stages from a replay: generator, prints the manifest on stdout, progress on stderr", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sentrl-cli-cur-"));
    const { data, replay } = toyData(dir, 30, { logLik: true });
    const out = join(dir, "out");
    const c = io();
    const code = await main(buildArgs(data, replay, out, "--samples", "8", "--stages", "3"), c);
    expect(c.err()).toContain("sampled 30/30 questions");
    expect(code).toBe(0);
    const manifest = JSON.parse(c.out());
    expect(manifest).toEqual(JSON.parse(readFileSync(join(out, "manifest.json"), "utf8")));
    expect(manifest.build).toMatchObject({
      samples: 8,
      checker: "dapo",
      estimator: "lengthNormalized",
      invalid: "singleton",
      template: "dapo",
    });
    expect(manifest.stages.map((s: { rows: number }) => s.rows)).toEqual([10, 10, 10]);
    const rows = [1, 2, 3].flatMap((s) => parseJsonl(readFileSync(join(out, `stage${s}.jsonl`), "utf8")).rows);
    // equal mean log-liks → lengthNormalized equals the discrete SE of the known distribution
    for (const r of rows)
      expect(r.semantic_entropy as number).toBeCloseTo(expectedDiscreteSE(plan(Number(String(r.id).slice(1)))), 12);
  });

  it("threshold splits, and coded errors for missing likelihoods and bad usage", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sentrl-cli-cur2-"));
    const { data, replay } = toyData(dir, 12);
    const c = io();
    expect(await main(buildArgs(data, replay, join(dir, "a")), c)).toBe(1);
    expect(c.err()).toMatch(/sentrl: SE_LOGLIK_REQUIRED: .*--estimator discrete/);
    const t = io();
    expect(
      await main(
        buildArgs(data, replay, join(dir, "b"), "--estimator", "discrete", "--split", "threshold", "--cuts", "0.5,1.5"),
        t,
      ),
    ).toBe(0);
    const m = JSON.parse(t.out());
    expect(m.split).toEqual({ kind: "threshold", cuts: [0.5, 1.5] });
    for (const s of m.stages) {
      if (s.rows === 0) continue;
      expect(s.se.min).toBeGreaterThanOrEqual([0, 0.5, 1.5][s.stage - 1]);
      expect(s.se.max).toBeLessThan([0.5, 1.5, Number.POSITIVE_INFINITY][s.stage - 1]);
    }
    expect(await main(["curriculum", "build", "--data", data], io())).toBe(2);
    expect(await main(["curriculum", "frob"], io())).toBe(2);
    expect(await main(buildArgs(data, replay, dir, "--split", "threshold"), io())).toBe(2);
    expect(await main(buildArgs(data, replay, dir, "--samples", "0"), io())).toBe(2);
    const h = io();
    expect(await main(["curriculum", "--help"], h)).toBe(0);
    expect(h.out()).toContain("--prompt-template");
  });

  it.skipIf(!HAVE_MATH_TRAIN)(
    `real MATH train rows with the dapo checker: SE equals the known distribution's (${HAVE_MATH_TRAIN ? "200 rows" : "skipped: ../shared/benchmarks missing"})`,
    async () => {
      const dir = mkdtempSync(join(tmpdir(), "sentrl-cli-math-"));
      const src = parseJsonl(readFileSync(MATH_TRAIN, "utf8")).rows.slice(0, 200) as {
        problem: string;
        answer: string;
      }[];
      const data = join(dir, "math.jsonl");
      writeFileSync(data, `${src.map((r) => JSON.stringify(r)).join("\n")}\n`);
      const replay = join(dir, "replay.jsonl");
      writeFileSync(
        replay,
        `${src.map((r, i) => JSON.stringify({ id: String(i), responses: plan(i).map((x) => responseText(i, r.answer, x)) })).join("\n")}\n`,
      );
      const c = io();
      expect(await main(buildArgs(data, replay, join(dir, "out"), "--estimator", "discrete"), c)).toBe(0);
      const rows = [1, 2].flatMap((s) => parseJsonl(readFileSync(join(dir, "out", `stage${s}.jsonl`), "utf8")).rows);
      expect(rows).toHaveLength(200);
      let mismatched = 0;
      for (const r of rows) {
        const i = src.findIndex((x) => x.problem === r.problem);
        if (Math.abs((r.semantic_entropy as number) - expectedDiscreteSE(plan(i))) > 1e-12) mismatched++;
      }
      expect(mismatched).toBe(0);
    },
  );
});

describe("a killed build resumes (real process, SIGKILL)", () => {
  const launcher = `const m = await import(${JSON.stringify(join(ROOT, "apps/sentrl/src/cli.ts"))}); process.exitCode = await m.main(process.argv.slice(1));`;
  const runCli = (args: string[], env: Record<string, string>) =>
    spawn(process.execPath, ["--conditions=source", "--import", "tsx", "-e", launcher, ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });

  it("SIGKILL mid-sampling, rerun: no resampling of cached questions and identical stages", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sentrl-kill-"));
    const { data, replay } = toyData(dir, 48);
    const common = [
      "--data",
      data,
      "--generator",
      `replay:${replay}`,
      "--samples",
      "8",
      "--estimator",
      "discrete",
      "--batch-size",
      "4",
    ];
    // reference build, uninterrupted (in process)
    const ref = join(dir, "ref");
    expect(await main(["curriculum", "build", ...common, "--out", ref], io())).toBe(0);
    const out = join(dir, "out");
    const cacheFile = join(out, "cache", "responses.jsonl");
    const child = runCli(["curriculum", "build", ...common, "--out", out], { SENTRL_CURRICULUM_TEST_DELAY_MS: "250" });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    const exited = new Promise<number | null>((res) => child.on("exit", (code, signal) => res(signal ? -1 : code)));
    // wait until a few batches are cached, then kill
    const t0 = Date.now();
    while (Date.now() - t0 < 30_000) {
      if (
        existsSync(cacheFile) &&
        statSync(cacheFile).size > 0 &&
        readFileSync(cacheFile, "utf8").split("\n").length > 9
      )
        break;
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill("SIGKILL");
    expect(await exited).toBe(-1);
    const cachedBefore = readFileSync(cacheFile, "utf8");
    // complete lines only (a SIGKILL during a write could leave a torn last line, which the rerun cuts off)
    const completeBefore = cachedBefore.slice(0, cachedBefore.lastIndexOf("\n") + 1);
    const nBefore = completeBefore.split("\n").filter((l) => l.trim()).length;
    expect(nBefore).toBeGreaterThanOrEqual(8);
    expect(nBefore).toBeLessThan(48);
    expect(existsSync(join(out, "manifest.json"))).toBe(false);
    expect(existsSync(join(out, "stage1.jsonl"))).toBe(false);
    // rerun to completion (no delay); cached questions are not sampled again
    const c = io();
    expect(await main(["curriculum", "build", ...common, "--out", out], c)).toBe(0);
    expect(c.err()).toContain(`sampled ${nBefore}/48 questions`);
    const cachedAfter = readFileSync(cacheFile, "utf8");
    expect(cachedAfter.startsWith(completeBefore)).toBe(true);
    expect(cachedAfter.split("\n").filter((l) => l.trim())).toHaveLength(48);
    for (const f of ["stage1.jsonl", "stage2.jsonl", "manifest.json"])
      expect(readFileSync(join(out, f), "utf8")).toBe(readFileSync(join(ref, f), "utf8"));
    expect(stderr).toContain("sentrl curriculum: sampled");
  }, 60_000);
});
