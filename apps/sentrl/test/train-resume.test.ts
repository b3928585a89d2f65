// A run killed mid-step by a real SIGKILL resumes from its last checkpoint and continues bit for bit as the
// uninterrupted run: every metric line identical.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../src/cli.js";
import { fakeIO as io } from "./fake-io.js";

const ROOT = resolve(__dirname, "../../..");

const launcher = `const m = await import(${JSON.stringify(join(ROOT, "apps/sentrl/src/cli.ts"))}); process.exitCode = await m.main(process.argv.slice(1));`;

function runCli(args: string[], env: Record<string, string>) {
  return spawn(process.execPath, ["--conditions=source", "--import", "tsx", "-e", launcher, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
}

const lineCount = (file: string) => (existsSync(file) ? readFileSync(file, "utf8").split("\n").length - 1 : 0);

describe("sentrl train: SIGKILL mid-step, --resume", () => {
  it("continues bit for bit: every metric line equals the uninterrupted run's", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sentrl-train-kill-"));
    // SENT with its 2-stage curriculum, shortened to 8 epochs per stage (stage 1: steps 1-8, stage 2: 9-16), and KL
    // to the per-stage reference: the kill comes in stage 2, so optimiser, stage-2 reference, curriculum position
    // and sampler state all have to come back exactly.
    const cfg = join(dir, "run.yaml");
    writeFileSync(
      cfg,
      [
        "preset: sent",
        "policy: { kind: tabular }",
        "curriculum: { epochsPerStage: 8 }",
        "checkpointEvery: 3",
        "evaluateEvery: 4",
        "loss: { options: { klLossCoef: 0.05 } }",
        "",
      ].join("\n"),
    );
    const straight = join(dir, "straight");
    const ref = io();
    expect(await main(["train", "--config", cfg, "--out", straight], ref), ref.err()).toBe(0);
    expect(JSON.parse(ref.out()).steps).toBe(16);

    const out = join(dir, "killed");
    const metrics = join(out, "metrics.jsonl");
    // Each step sleeps 60 ms after its rollout: the kill lands inside a step, after some checkpoints.
    const child = runCli(["train", "--config", cfg, "--out", out], { SENTRL_TRAIN_TEST_STEP_DELAY_MS: "60" });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    const exited = new Promise<string | null>((res) => child.on("exit", (_code, signal) => res(signal)));
    const t0 = Date.now();
    while (Date.now() - t0 < 60_000 && lineCount(metrics) < 10) await new Promise((r) => setTimeout(r, 10));
    child.kill("SIGKILL");
    expect(await exited, stderr).toBe("SIGKILL");
    const linesAtKill = lineCount(metrics);
    expect(linesAtKill).toBeGreaterThanOrEqual(10);
    expect(linesAtKill).toBeLessThan(16);
    const latest = JSON.parse(readFileSync(join(out, "checkpoints", "latest.json"), "utf8")) as { step: number };
    expect(latest.step).toBeGreaterThan(0);

    const resumed = io();
    expect(await main(["train", "--config", cfg, "--out", out, "--resume"], resumed), resumed.err()).toBe(0);
    expect(JSON.parse(resumed.out())).toMatchObject({ resumedFrom: latest.step, steps: 16 - latest.step });
    const a = readFileSync(join(straight, "metrics.jsonl"), "utf8");
    expect(a.split("\n").filter((l) => l.includes('"val/avg@8"'))).toHaveLength(4); // evaluation lines too
    const b = readFileSync(metrics, "utf8");
    expect(b.split("\n")).toEqual(a.split("\n"));
    expect(readFileSync(join(out, "checkpoints", "step_16", "policy.safetensors"))).toEqual(
      readFileSync(join(straight, "checkpoints", "step_16", "policy.safetensors")),
    );
  }, 90_000);
});
