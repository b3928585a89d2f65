import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../src/cli.js";
import { fakeIO as io } from "./fake-io.js";

const interval = expect.objectContaining({ mean: expect.any(Number), lo: expect.any(Number), hi: expect.any(Number) });

describe("sentrl demo --quick (end to end: committed base model, SE curriculum, grpo + sent, held-out evaluation)", () => {
  it("writes report.html, report.md and summary.json with the fields of docs/contracts.md §12", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "sentrl-demo-test-")), "demo");
    const o = io();
    expect(await main(["demo", "--quick", "--out", out, "--seed", "2"], o), o.err()).toBe(0);
    const line = JSON.parse(o.out());
    expect(line.outDir).toBe(out);
    const s = JSON.parse(readFileSync(join(out, "summary.json"), "utf8"));
    expect(s.task).toMatchObject({ family: "sum-chain", minTerms: 3, maxTerms: 8 });
    expect(s.model).toMatchObject({ layers: 4, hidden: 128 });
    expect(s.model.params).toBeGreaterThan(800_000);
    expect(s.heldOut).toBe(48);
    expect(s.samplesPerQuestion).toBe(4);
    expect(s.baseline.passAt).toEqual({ "1": interval, "2": interval, "4": interval });
    expect(s.seconds).toBeGreaterThan(0);
    expect(Object.keys(s.arms)).toEqual(["grpo", "sent"]);
    for (const arm of ["grpo", "sent"]) {
      const a = s.arms[arm];
      expect(a.steps).toBe(8);
      expect(a.passAt["4"]).toEqual(interval);
      expect(a.avgAt["4"]).toEqual(interval);
      expect(a.entropy).toHaveLength(8);
      expect(a.reward).toHaveLength(8);
      for (const v of [...a.entropy, ...a.reward]) expect(Number.isFinite(v)).toBe(true);
      const p1 = a.passAt["1"];
      expect(p1.lo).toBeLessThanOrEqual(p1.mean);
      expect(p1.mean).toBeLessThanOrEqual(p1.hi);
      expect(
        readFileSync(join(out, arm, "metrics.jsonl"), "utf8")
          .trimEnd()
          .split("\n"),
      ).toHaveLength(8);
      expect(existsSync(join(out, arm, "model", "model.safetensors"))).toBe(true);
    }
    expect(s.arms.sent.stage).toContain(2); // the second curriculum stage was reached
    expect(s.curriculum.stages.map((x: { rows: number }) => x.rows)).toEqual([16, 16]);
    expect(s.curriculum.stages[0].seMean).toBeLessThanOrEqual(s.curriculum.stages[1].seMean);
    expect(Object.keys(s.comparisons)).toEqual(["grpo - base", "sent - base", "sent - grpo"]);

    const html = readFileSync(join(out, "report.html"), "utf8");
    expect(html.match(/<svg /g)?.length).toBe(4);
    expect(html).not.toMatch(/<script|src="http|href="http/); // self-contained
    const md = readFileSync(join(out, "report.md"), "utf8");
    expect(md).toContain("| base |");
    expect(md).toMatch(/## Verdict/);
    // Where the settings come from: the quick budget is not the validated default, and the report says so.
    expect(md).toContain("demonstrator that slips");
    expect(md).toContain("Training settings: learning rate or steps differ from the defaults chosen on the validation split.");
    expect(o.err()).toContain("sentrl demo: train sent");
  }, 300_000); // ~20 s on 2 idle cores; generous for a loaded CI machine

  it("rejects bad options with usage errors", async () => {
    for (const args of [
      ["--arms", "nope"],
      ["--k", "0"],
      ["--held-out", "5000"],
      ["--arms", "grpo,grpo"],
    ]) {
      const o = io();
      expect(await main(["demo", ...args], o)).toBe(2);
    }
  });
});
