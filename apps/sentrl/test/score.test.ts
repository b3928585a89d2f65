import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "./fake-io.js";

const fixtures = join(import.meta.dirname, "..", "..", "..", "packages", "model", "test", "fixtures");
const temps: string[] = [];
afterAll(() => {
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});

describe("sentrl score (docs/contracts.md §6)", () => {
  it.each(["qwen2-untied-gqa2-f16", "qwen2-sharded"])("%s: matches the PyTorch reference; rows of length 1 give []", async (name) => {
    const dir = join(fixtures, name);
    const exp = JSON.parse(readFileSync(join(dir, "expected.json"), "utf8")) as { temperature: number; tokens: number[][]; logp: number[][]; entropy: number[][] };
    const tokens = [...exp.tokens, [3]];
    const r = await runCli(["score", "--model", dir, "--temperature", String(exp.temperature)], JSON.stringify({ tokens }));
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout.endsWith("\n")).toBe(true);
    const out = JSON.parse(r.stdout) as { logp: number[][]; entropy: number[][] };
    expect(Object.keys(out)).toEqual(["logp", "entropy"]);
    expect(out.logp.at(-1)).toEqual([]);
    expect(out.entropy.at(-1)).toEqual([]);
    exp.tokens.forEach((row, i) => {
      expect(out.logp[i]).toHaveLength(Math.max(0, row.length - 1));
      out.logp[i].forEach((v, t) => {
        expect(Math.abs(v - exp.logp[i][t])).toBeLessThan(1e-4);
      });
      out.entropy[i].forEach((v, t) => {
        expect(Math.abs(v - exp.entropy[i][t])).toBeLessThan(1e-4);
      });
    });
  });

  it("needs only config.json and weights (tokenizer files optional)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sentrl-score-"));
    temps.push(dir);
    cpSync(join(fixtures, "qwen2-tied-gqa1"), dir, { recursive: true });
    rmSync(join(dir, "expected.json"));
    const r = await runCli(["score", "--model", dir], '{"tokens":[[1,2,3]]}');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).logp[0]).toHaveLength(2);
  });

  it.each([
    [["score"], '{"tokens":[[1]]}', 2, "USAGE"],
    [["score", "--model", "x", "--temperature", "0"], '{"tokens":[[1]]}', 2, "USAGE"],
    [["score", "--model", "x", "--temperature", "abc"], '{"tokens":[[1]]}', 2, "USAGE"],
    [["score", "--model", "x", "--bogus"], '{"tokens":[[1]]}', 2, "USAGE"],
    [["score", "--model", "FIX"], "", 1, "SCORE_BAD_INPUT"],
    [["score", "--model", "FIX"], "{", 1, "SCORE_BAD_INPUT"],
    [["score", "--model", "FIX"], '{"tokens":[[1]],"extra":1}', 1, "SCORE_BAD_INPUT"],
    [["score", "--model", "FIX"], '{"tokens":{}}', 1, "SCORE_BAD_INPUT"],
    [["score", "--model", "FIX"], '{"tokens":[[1,97]]}', 1, "MODEL_TOKEN_OUT_OF_RANGE"],
    [["score", "--model", "FIX"], '{"tokens":[[1,"a"]]}', 1, "MODEL_BAD_TOKENS"],
    [["score", "--model", "/nonexistent/model"], '{"tokens":[[1]]}', 1, "MODEL_FILES_MISSING"],
  ])("%j with %s → exit %i, %s", async (argv, stdin, code, errCode) => {
    const args = argv.map((a) => (a === "FIX" ? join(fixtures, "qwen2-tied-gqa1") : a));
    const r = await runCli(args, stdin);
    expect(r.code).toBe(code);
    expect(r.stdout).toBe("");
    expect(r.stderr.startsWith(`sentrl: ${errCode}: `)).toBe(true);
  });

  it("unsupported configs are coded errors", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sentrl-score-"));
    temps.push(dir);
    cpSync(join(fixtures, "qwen2-tied-gqa1"), dir, { recursive: true });
    const cfg = JSON.parse(readFileSync(join(dir, "config.json"), "utf8"));
    writeFileSync(join(dir, "config.json"), JSON.stringify({ ...cfg, rope_scaling: { type: "linear", factor: 2 } }));
    const r = await runCli(["score", "--model", dir], '{"tokens":[[1,2]]}');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^sentrl: MODEL_UNSUPPORTED_ROPE_SCALING: /);
  });

  it("--help documents the contract", async () => {
    const r = await runCli(["score", "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('{"logp": [[..]], "entropy": [[..]]}');
  });
});
