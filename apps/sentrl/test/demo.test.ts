import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import type { CliIO } from "../src/command.js";
import { main } from "../src/cli.js";

function io(): CliIO & { out: () => string; err: () => string } {
  let out = "";
  let err = "";
  return {
    stdin: Readable.from([""]),
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    env: {},
    out: () => out,
    err: () => err,
  };
}

describe("sentrl demo", () => {
  it("trains GRPO and SENT on the toy task: table on stderr, JSON summary on stdout, metrics JSONL under --out", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "sentrl-demo-test-")), "demo");
    const o = io();
    expect(await main(["demo", "--out", out, "--every", "20"], o), o.err()).toBe(0);
    const summary = JSON.parse(o.out());
    expect(summary.outDir).toBe(out);
    for (const arm of ["grpo", "sent"]) {
      const s = summary.arms[arm];
      expect(s.loss).toBe(arm);
      expect(s.scoreLast).toBeGreaterThan(0.9);
      expect(s.scoreFirst).toBeLessThan(s.scoreLast - 0.25);
      expect(s.entropyLast).toBeLessThan(s.entropyFirst);
      const lines = readFileSync(join(out, arm, "metrics.jsonl"), "utf8")
        .trimEnd()
        .split("\n");
      expect(lines).toHaveLength(s.steps);
      expect(Number.isFinite(JSON.parse(lines[0])["actor/entropy"])).toBe(true);
    }
    const err = o.err();
    expect(err).toContain(`writing metrics under ${out}`);
    expect(err).toMatch(/GRPO reward\s+entropy \| SENT stage\s+reward\s+entropy/);
    expect(err).toMatch(/stage 1: "\w+" \d\.\d\d, .*\n\s+stage 2: /);
    expect(err.split("\n").filter((l) => /^\s+\d+-\d+\s+\|/.test(l))).toHaveLength(6); // 120 steps / 20
    expect(err).toContain("not the paper's numbers");
  });

  it("defaults to a fresh temporary directory and rejects bad options", async () => {
    const o = io();
    expect(await main(["demo", "--every", "60"], o), o.err()).toBe(0);
    const dir = JSON.parse(o.out()).outDir as string;
    expect(dir.startsWith(tmpdir())).toBe(true);
    expect(existsSync(join(dir, "sent", "metrics.jsonl"))).toBe(true);
    const bad = io();
    expect(await main(["demo", "--seed", "x"], bad)).toBe(2);
  });
});
