// kill -9 at random moments (mid-step, mid-checkpoint, mid-rename), 20 times: each resumed run ends byte-identical to
// the uninterrupted one, with no leftovers and at most --keep-checkpoints checkpoints.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../fake-io.js";
import { BUILT, leftovers, NOT_BUILT_REASON, scratch, spawnCli, toyConfig } from "./helpers.js";

const ITERATIONS = 20;

/** Lines in a file (0 when it does not exist yet). */
function lines(path: string): number {
  try {
    return readFileSync(path, "utf8").split("\n").length - 1;
  } catch {
    return 0;
  }
}

describe.skipIf(!BUILT)(
  `train killed with SIGKILL at random moments, ${ITERATIONS} times${BUILT ? "" : ` (skipped: ${NOT_BUILT_REASON})`}`,
  () => {
    it("every resumed run equals the uninterrupted run", async () => {
      const dir = scratch("kill9");
      const cfg = toyConfig(dir);
      const straight = join(dir, "straight");
      const ref = await runCli(["train", "--config", cfg, "--out", straight, "--keep-checkpoints", "3"]);
      expect(ref.code, ref.stderr).toBe(0);
      const metrics = readFileSync(join(straight, "metrics.jsonl"), "utf8");
      const policy = readFileSync(join(straight, "checkpoints", "step_12", "policy.safetensors"));
      // A seeded spread of kill points over the run (some before the first checkpoint).
      let seed = 12345;
      const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
      const killedAt: string[] = [];
      for (let i = 0; i < ITERATIONS; i++) {
        const out = join(dir, `run${i}`);
        const child = spawnCli(["train", "--config", cfg, "--out", out, "--keep-checkpoints", "3"], {
          stdio: "ignore",
        });
        const exited = new Promise<string | null>((res) => child.on("exit", (_c, signal) => res(signal)));
        // Kill once a random number of steps (0-11) is logged, plus a random 0-20 ms: inside a step, a checkpoint
        // write or a rename, whatever the machine's speed (steps are polled every 2 ms).
        const target = Math.floor(rand() * 12);
        const t0 = Date.now();
        while (lines(join(out, "metrics.jsonl")) < target && Date.now() - t0 < 20_000)
          await new Promise((r) => setTimeout(r, 2));
        await new Promise((r) => setTimeout(r, rand() * 20));
        child.kill("SIGKILL");
        const signal = await exited;
        const steps = existsSync(join(out, "checkpoints"))
          ? readdirSync(join(out, "checkpoints")).filter((n) => /^step_/.test(n))
          : [];
        killedAt.push(`${signal ?? "done"}@${steps.join(",") || "none"}`);
        // Killed before its first metrics line: nothing to resume (--resume says CHECKPOINT_NOT_FOUND); start it.
        const started = existsSync(join(out, "metrics.jsonl"));
        const resumed = await runCli([
          "train",
          "--config",
          cfg,
          "--out",
          out,
          ...(started ? ["--resume"] : []),
          "--keep-checkpoints",
          "3",
        ]);
        expect(resumed.code, `iteration ${i}: ${resumed.stderr}`).toBe(0);
        expect(resumed.stderr).not.toMatch(/INTERNAL|\n\s+at /);
        expect(readFileSync(join(out, "metrics.jsonl"), "utf8"), `iteration ${i}`).toBe(metrics);
        expect(readFileSync(join(out, "checkpoints", "step_12", "policy.safetensors")).equals(policy)).toBe(true);
        expect(leftovers(out), `iteration ${i}`).toEqual([]);
        const kept = readdirSync(join(out, "checkpoints")).filter((n) => /^step_\d+$/.test(n));
        expect(kept.length).toBeLessThanOrEqual(3);
      }
      // Most kills must have landed mid-run, after a checkpoint, for the loop to mean anything.
      const midRun = killedAt.filter((k) => k.startsWith("SIGKILL@step_")).length;
      expect(midRun, killedAt.join(" ")).toBeGreaterThanOrEqual(ITERATIONS / 2);
    }, 120_000);
  },
);
