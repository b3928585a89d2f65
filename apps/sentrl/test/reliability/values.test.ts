// Numbers that are not numbers and inputs built to hurt (docs/contracts.md §1): no command prints NaN/Inf/null where
// a number belongs (OUTPUT_NOT_FINITE naming the value's path); deep nesting, alias bombs and huge values give
// coded one-line errors; non-finite weights are refused at load.
import { execFileSync } from "node:child_process";
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { formatValue } from "../../src/io/format-value.js";
import { findNonFinite } from "../../src/io/output-guard.js";
import { runCli } from "../fake-io.js";
import { oneLineError, ROOT, scratch } from "./helpers.js";

const expectCoded = (r: { code: number; stdout: string; stderr: string }, code: string, pattern?: RegExp) => {
  expect(r.code, r.stderr).toBe(code === "USAGE" ? 2 : 1);
  expect(r.stdout).toBe("");
  expect(r.stderr).toMatch(new RegExp(`^sentrl: ${code}: `));
  if (pattern) expect(r.stderr).toMatch(pattern);
  expect(oneLineError(r.stderr)).toBe(true);
  expect(r.stderr).not.toMatch(/INTERNAL|RangeError|ReferenceError/);
};

describe("non-finite results are refused, naming the value", () => {
  it("advantages with rewards ±1.7e308 and with equal rewards and epsilon 0", async () => {
    const huge = await runCli(["advantages", "--estimator", "grpo"], '{"rewards":[1.7e308,-1.7e308],"groups":[1,1]}');
    expectCoded(huge, "OUTPUT_NOT_FINITE", /advantages\[0\] is NaN/);
    const eps0 = await runCli(
      ["advantages", "--estimator", "grpo", "--config", '{"epsilon":0}'],
      '{"rewards":[1,1],"groups":[1,1]}',
    );
    expectCoded(eps0, "OUTPUT_NOT_FINITE", /advantages\[0\] is NaN/);
  });

  it("se with a log-likelihood of 1e400 (Infinity once parsed)", async () => {
    const r = await runCli(["se"], '{"id":"q1","responses":["1","2"],"logLik":[1e400,-1],"lengths":[1,1]}\n');
    expectCoded(r, "OUTPUT_NOT_FINITE", /stdin line 1: semanticEntropy is NaN/);
  });

  it("score on NaN weights: MODEL_WEIGHTS_NOT_FINITE at load, before any output", async () => {
    const dir = join(scratch("nan-model"), "m");
    cpSync(join(ROOT, "packages/model/test/fixtures/qwen2-tied-gqa1"), dir, { recursive: true });
    const file = join(dir, "model.safetensors");
    const bytes = readFileSync(file);
    const headerLen = Number(bytes.readBigUInt64LE(0));
    const header = JSON.parse(bytes.subarray(8, 8 + headerLen).toString("utf8"));
    const [begin] = header["model.norm.weight"].data_offsets as [number, number];
    bytes.writeFloatLE(Number.NaN, 8 + headerLen + begin); // the first weight of the final norm
    writeFileSync(file, bytes);
    const r = await runCli(["score", "--model", dir, "--backend", "reference"], '{"tokens":[[1,2,3]]}');
    expectCoded(r, "MODEL_WEIGHTS_NOT_FINITE", /`model\.norm\.weight` holds NaN at index 0/);
  });

  it("findNonFinite walks without recursion and names paths", () => {
    let deep: unknown = [Number.POSITIVE_INFINITY];
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(findNonFinite(deep)?.value).toBe(Number.POSITIVE_INFINITY);
    expect(findNonFinite({ a: { "b c": [1, Number.NaN] } })).toEqual({ path: 'a["b c"][1]', value: Number.NaN });
    expect(findNonFinite({ ok: [1, null, "x"] })).toBeNull();
  });
});

describe("inputs built to hurt", () => {
  const deepArray = `${"[".repeat(100_000)}${"]".repeat(100_000)}`;
  it.each([
    ["loss", ["loss", "--name", "grpo"], `{"mask":${deepArray}}`, "LOSS_BAD_INPUT"],
    ["advantages", ["advantages", "--estimator", "grpo"], `{"rewards":${deepArray}}`, "ADV_BAD_INPUT"],
    ["se", ["se"], `{"id":"q","responses":${deepArray}}\n`, "SE_BAD_INPUT"],
    ["grade", ["grade", "--checker", "dapo"], `{"response":${deepArray}}\n`, "GRADE_BAD_INPUT"],
    ["score", ["score", "--model", "."], `{"tokens":${deepArray}}`, "SCORE_BAD_INPUT"],
  ] as const)("100,000-level nested JSON to %s: a coded error, not a stack overflow", async (_n, argv, stdin, code) => {
    const r = await runCli([...argv], stdin);
    expectCoded(r, code, /nests arrays\/objects more than 512 levels deep/);
  });

  it("--config with deep nesting is a usage error", async () => {
    const r = await runCli(["advantages", "--estimator", "grpo", "--config", `{"a":${deepArray}}`], "{}");
    expectCoded(r, "USAGE", /--config nests arrays\/objects more than 512 levels/);
  });

  it("a YAML alias bomb and a deeply nested YAML config are CONFIG_PARSE", async () => {
    const dir = scratch("yaml");
    const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    let prev = "a";
    for (const k of "bcdefghi") {
      lines.push(`${k}: &${k} [${Array(9).fill(`*${prev}`).join(",")}]`);
      prev = k;
    }
    writeFileSync(join(dir, "bomb.yaml"), `${lines.join("\n")}\npreset: grpo\n`);
    const bomb = await runCli(["train", "--config", join(dir, "bomb.yaml"), "--out", join(dir, "o")]);
    expectCoded(bomb, "CONFIG_PARSE", /not a usable YAML document: .*alias/i);
    writeFileSync(join(dir, "deep.yaml"), `a: ${deepArray}\n`);
    const deep = await runCli(["train", "--config", join(dir, "deep.yaml"), "--out", join(dir, "o")]);
    expectCoded(deep, "CONFIG_PARSE", /nests arrays\/objects more than 512 levels/);
  });

  it("a FIFO or a folder as --config is refused instead of blocking", async () => {
    const dir = scratch("fifo");
    execFileSync("mkfifo", [join(dir, "run.yaml")]);
    for (const cfg of [join(dir, "run.yaml"), dir]) {
      const r = await runCli(["train", "--config", cfg, "--out", join(dir, "o")]);
      expectCoded(r, "CONFIG_NOT_REGULAR_FILE");
    }
  });

  it("a 20 MB bad value is quoted in at most 200 characters", async () => {
    const r = await runCli(
      ["advantages", "--estimator", "grpo"],
      JSON.stringify({ rewards: ["x".repeat(20e6)], groups: [1] }),
    );
    expectCoded(r, "ADV_BAD_INPUT", /rewards\[0\] is "x{150,200}"?…; expected a number/);
    expect(r.stderr.length).toBeLessThan(400);
  });

  it("formatValue is bounded and non-recursive", () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = { a: deep };
    expect(formatValue(deep).length).toBe(201);
    const cyc: Record<string, unknown> = { n: Number.NaN };
    cyc.self = cyc;
    expect(formatValue(cyc)).toBe('{"n":NaN,"self":[cycle]}');
    expect(formatValue(new Float32Array([1, 2]))).toBe("[1,2]");
  });
});
