// Damaged checkpoints and changed configs through `sentrl train --resume`: fallback to the
// newest intact checkpoint (said on stderr), CHECKPOINT_CORRUPT as one line, RESUME_CONFIG_MISMATCH listing the
// fields, --resume-with-changes for safe ones, metrics stored once, totalSteps beyond the data reported.
import { cpSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../fake-io.js";
import { oneLineError, scratch, toyConfig } from "./helpers.js";

/** A lone 12-step run (checkpoints every 2 steps), made once; each test gets a copy cut back to its step-8
 * checkpoint, as if killed after step 9. */
let base: Promise<{ dir: string; cfg: string; lone: string }> | undefined;
function lone12() {
  base ??= (async () => {
    const dir = scratch("ckpt-base");
    const cfg = toyConfig(dir, { checkpointEvery: "2" });
    const lone = join(dir, "lone");
    expect((await runCli(["train", "--config", cfg, "--out", lone])).code).toBe(0);
    return { dir, cfg, lone };
  })();
  return base;
}

async function stoppedRun(tag: string) {
  const { cfg, lone } = await lone12();
  const dir = scratch(tag);
  const out = join(dir, "out");
  cpSync(lone, out, { recursive: true });
  for (const s of ["step_10", "step_12"]) rmSync(join(out, "checkpoints", s), { recursive: true });
  return { dir, cfg, out, lone, metrics: readFileSync(join(lone, "metrics.jsonl"), "utf8") };
}

const resume = (cfg: string, out: string, ...extra: string[]) =>
  runCli(["train", "--config", cfg, "--out", out, "--resume", ...extra]);

describe("damaged checkpoints", () => {
  for (const [name, damage] of [
    ["truncated trainer.json", (ck: string) => truncateSync(join(ck, "trainer.json"), 30)],
    ["truncated policy.safetensors", (ck: string) => truncateSync(join(ck, "policy.safetensors"), 100)],
    [
      "flipped byte in policy.safetensors",
      (ck: string) => {
        const p = join(ck, "policy.safetensors");
        const b = readFileSync(p);
        b[b.length - 3] ^= 0xff;
        writeFileSync(p, b);
      },
    ],
    ["torn manifest.json", (ck: string) => truncateSync(join(ck, "manifest.json"), 12)],
  ] as const) {
    it(`${name}: resume says so, falls back to step 6 and ends identical`, async () => {
      const { cfg, out, metrics } = await stoppedRun("fallback");
      damage(join(out, "checkpoints", "step_8"));
      writeFileSync(join(out, "checkpoints", "latest.json"), '{"step":8,"pa'); // torn too: it does not matter
      const r = await resume(cfg, out);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(
        /warning CHECKPOINT_FALLBACK .*step_8 is damaged \(.+\); resuming from the older intact .*step_6/,
      );
      expect(JSON.parse(r.stdout).resumedFrom).toBe(6);
      expect(readFileSync(join(out, "metrics.jsonl"), "utf8")).toBe(metrics);
    });
  }

  it("every checkpoint damaged: CHECKPOINT_CORRUPT, one line, no stack, exit 1", async () => {
    const { cfg, out } = await stoppedRun("allbad");
    for (const s of readdirSync(join(out, "checkpoints")).filter((n) => n.startsWith("step_")))
      truncateSync(join(out, "checkpoints", s, "trainer.json"), 10);
    const r = await resume(cfg, out);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^sentrl: CHECKPOINT_CORRUPT: every checkpoint under .* is damaged \(step_8: trainer\.json has 10 bytes/,
    );
    expect(oneLineError(r.stderr)).toBe(true);
  });

  it("a torn metrics log is rebuilt from the stored segments; each byte is stored once", async () => {
    const { cfg, out, lone, metrics } = await stoppedRun("torn-metrics");
    const segs = join(lone, "checkpoints", "metrics");
    const stored = readdirSync(segs).reduce((n, s) => n + statSync(join(segs, s)).size, 0);
    expect(stored).toBe(Buffer.byteLength(metrics)); // 6 checkpoints, the log stored once: linear, not quadratic
    for (const s of readdirSync(join(lone, "checkpoints")).filter((n) => n.startsWith("step_")))
      expect(readdirSync(join(lone, "checkpoints", s))).not.toContain("metrics.jsonl");
    writeFileSync(join(out, "metrics.jsonl"), metrics.slice(0, 100)); // steps 2-8 gone, line 1 torn
    const r = await resume(cfg, out);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(out, "metrics.jsonl"), "utf8")).toBe(metrics);
  });
});

describe("resume checks the configuration", () => {
  it("another lr or preset: RESUME_CONFIG_MISMATCH listing the fields; run-config.json unchanged", async () => {
    const { dir, out } = await stoppedRun("mismatch");
    const before = readFileSync(join(out, "run-config.json"), "utf8");
    const lr = toyConfig(dir, { checkpointEvery: "2", optimizer: "{ lr: 0.5 }" }, "lr.yaml");
    const r = await resume(lr, out);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^sentrl: RESUME_CONFIG_MISMATCH: .*optimizer\.lr: 0\.1 → 0\.5/);
    expect(oneLineError(r.stderr)).toBe(true);
    const preset = toyConfig(dir, { checkpointEvery: "2", preset: "sent" }, "preset.yaml");
    const p = await resume(preset, out);
    expect(p.stderr).toMatch(/RESUME_CONFIG_MISMATCH: .*preset: "grpo" → "sent"/);
    expect(readFileSync(join(out, "run-config.json"), "utf8")).toBe(before);
  });

  it("totalSteps needs --resume-with-changes, which allows it and records it; lr stays refused", async () => {
    const { dir, out } = await stoppedRun("with-changes");
    const longer = toyConfig(dir, { checkpointEvery: "2", totalSteps: "14" }, "longer.yaml");
    const refused = await resume(longer, out);
    expect(refused.stderr).toMatch(/RESUME_CONFIG_MISMATCH: .*totalSteps: 12 → 14.*--resume-with-changes allows/);
    const ok = await resume(longer, out, "--resume-with-changes");
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ resumedFrom: 8, totalSteps: 14 });
    expect(JSON.parse(readFileSync(join(out, "run-config.json"), "utf8")).totalSteps).toBe(14);
    const lr = toyConfig(dir, { checkpointEvery: "2", totalSteps: "14", optimizer: "{ lr: 0.5 }" }, "lr2.yaml");
    const still = await resume(lr, out, "--resume-with-changes");
    expect(still.stderr).toMatch(/RESUME_CONFIG_MISMATCH: .*optimizer\.lr.*only allows changes to totalSteps/);
  });
});

describe("data shorter than totalSteps", () => {
  it("totalSteps 1e12 with a curriculum: the run stops where the data ends and says so", async () => {
    const dir = scratch("beyond");
    const cfg = toyConfig(dir, {
      preset: "sent",
      totalSteps: "1000000000000",
      checkpointEvery: "0",
      curriculum: "{ epochsPerStage: 2 }",
    });
    const r = await runCli(["train", "--config", cfg, "--out", join(dir, "out")]);
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.steps).toBeGreaterThan(0);
    expect(s.steps).toBeLessThan(100);
    expect(r.stderr).toMatch(
      new RegExp(
        `warning TRAIN_STEPS_BEYOND_DATA at step ${s.steps}: totalSteps is 1000000000000 but the data ends after step ${s.steps}`,
      ),
    );
  });
});
