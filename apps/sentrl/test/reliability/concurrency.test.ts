// Two writers on one --out (docs/contracts.md §1): exactly one runs, the other gets OUTPUT_LOCKED naming the holder,
// and the output equals a lone run's; a stale lock of a dead process is taken over by exactly one of the racers.
import { mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { acquireOutputLock, LOCK_FILE } from "../../src/io/output-lock.js";
import { runCli } from "../fake-io.js";
import { BUILT, finish, NOT_BUILT_REASON, scratch, spawnCli, toyConfig } from "./helpers.js";

const ITERATIONS = 20;
/** A pid that is not running (above the kernel's default pid_max of 4194304 is impossible; 4194302 is unused here). */
const DEAD_PID = 4194302;

describe("output lock (in-process)", () => {
  it("a second writer gets OUTPUT_LOCKED naming pid, host and start time; release frees it", () => {
    const dir = scratch("lock");
    const lock = acquireOutputLock(dir, "train");
    expect(() => acquireOutputLock(dir, "eval")).toThrow(
      expect.objectContaining({
        code: "OUTPUT_LOCKED",
        message: expect.stringContaining(
          `sentrl train (pid ${process.pid} on ${hostname()}, since ${lock.holder.startedAt})`,
        ),
      }),
    );
    lock.release();
    acquireOutputLock(dir, "eval").release();
  });

  it("a lock of a dead process, or a torn lock file older than 2 s, is taken over; another host's is not", () => {
    const dir = scratch("stale");
    const path = join(dir, LOCK_FILE);
    writeFileSync(path, JSON.stringify({ pid: DEAD_PID, host: hostname(), command: "train", startedAt: "then" }));
    const a = acquireOutputLock(dir, "train");
    expect(JSON.parse(readFileSync(path, "utf8")).pid).toBe(process.pid);
    a.release();
    writeFileSync(path, "");
    expect(() => acquireOutputLock(dir, "train")).toThrow(expect.objectContaining({ code: "OUTPUT_LOCKED" }));
    const old = new Date(Date.now() - 5000);
    utimesSync(path, old, old);
    acquireOutputLock(dir, "train").release();
    writeFileSync(path, JSON.stringify({ pid: DEAD_PID, host: "elsewhere", command: "train", startedAt: "then" }));
    expect(() => acquireOutputLock(dir, "train")).toThrow(
      expect.objectContaining({ code: "OUTPUT_LOCKED", message: expect.stringContaining(`delete ${path}`) }),
    );
  });

  it("a live pid whose process started at another time (a reused pid) is stale", () => {
    const dir = scratch("reused");
    const path = join(dir, LOCK_FILE);
    const live = { pid: process.ppid, host: hostname(), command: "train", startedAt: "then" };
    writeFileSync(path, JSON.stringify({ ...live, procStart: "1" }));
    acquireOutputLock(dir, "train").release();
    writeFileSync(path, JSON.stringify(live)); // no start time recorded: a live pid is trusted
    expect(() => acquireOutputLock(dir, "train")).toThrow(expect.objectContaining({ code: "OUTPUT_LOCKED" }));
  });

  it("eval and curriculum build refuse a folder another process writes, before writing anything", async () => {
    const dir = scratch("lock-eval");
    mkdirSync(join(dir, "data", "aime24"), { recursive: true });
    writeFileSync(join(dir, "data", "aime24", "test.jsonl"), '{"id":1,"problem":"1+1?","answer":"2"}\n');
    writeFileSync(join(dir, "replay.jsonl"), '{"id":"aime24/1","responses":["\\\\boxed{2}","2"]}\n');
    writeFileSync(join(dir, "data.jsonl"), '{"id":"p0","problem":"1+1?","answer":"2"}\n');
    writeFileSync(join(dir, "cur-replay.jsonl"), '{"id":"p0","responses":["2","3"]}\n');
    const out = join(dir, "out");
    const lock = acquireOutputLock(out, "train");
    const evalArgs = [
      "eval",
      "--benchmark",
      "aime24",
      "--data",
      join(dir, "data"),
      "--generator",
      `replay:${join(dir, "replay.jsonl")}`,
      "--n",
      "2",
      "--out",
      out,
    ];
    const ev = await runCli(evalArgs);
    const cur = await runCli([
      "curriculum",
      "build",
      "--data",
      join(dir, "data.jsonl"),
      "--generator",
      `replay:${join(dir, "cur-replay.jsonl")}`,
      "--samples",
      "2",
      "--out",
      out,
    ]);
    expect(readdirSync(out)).toEqual([LOCK_FILE]);
    lock.release();
    for (const r of [ev, cur]) {
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(/^sentrl: OUTPUT_LOCKED: .*sentrl train \(pid/);
    }
    // and with the lock gone, eval runs
    const ok = await runCli(evalArgs);
    expect(ok.code, ok.stderr).toBe(0);
  });

  it("train --resume while the first train is alive is refused", async () => {
    const dir = scratch("resume-alive");
    const cfg = toyConfig(dir);
    const out = join(dir, "out");
    expect((await runCli(["train", "--config", cfg, "--out", out])).code).toBe(0);
    const lock = acquireOutputLock(out, "train"); // stands for the live first run
    const r = await runCli(["train", "--config", cfg, "--out", out, "--resume"]);
    lock.release();
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^sentrl: OUTPUT_LOCKED: .* is being written by sentrl train \(pid \d+/m);
  });
});

describe.skipIf(!BUILT)(
  `two train processes on one --out, ${ITERATIONS} times${BUILT ? "" : ` (skipped: ${NOT_BUILT_REASON})`}`,
  () => {
    it("one runs, the other is refused, the output equals a lone run's (half the rounds race for a stale lock)", async () => {
      const dir = scratch("race");
      const cfg = toyConfig(dir, { checkpointEvery: "4" });
      const lone = join(dir, "lone");
      expect((await runCli(["train", "--config", cfg, "--out", lone])).code).toBe(0);
      const metrics = readFileSync(join(lone, "metrics.jsonl"), "utf8");
      const refusals: Record<string, number> = {};
      for (let i = 0; i < ITERATIONS; i++) {
        const out = join(dir, `out${i}`);
        if (i % 2 === 1) {
          mkdirSync(out, { recursive: true });
          writeFileSync(
            join(out, LOCK_FILE),
            JSON.stringify({ pid: DEAD_PID, host: hostname(), command: "train", startedAt: "x" }),
          );
        }
        const env = { SENTRL_TRAIN_TEST_STEP_DELAY_MS: "15" }; // each run lasts ~0.3 s: the two overlap
        const [a, b] = await Promise.all([
          finish(spawnCli(["train", "--config", cfg, "--out", out], { env })),
          finish(spawnCli(["train", "--config", cfg, "--out", out], { env })),
        ]);
        const codes = [a.code, b.code].sort();
        expect(codes, `round ${i}: ${a.stderr} | ${b.stderr}`).toEqual([0, 1]);
        const loser = a.code === 1 ? a : b;
        const code = /^sentrl: ([A-Z_]+):/m.exec(loser.stderr)?.[1] ?? loser.stderr;
        refusals[code] = (refusals[code] ?? 0) + 1;
        // OUTPUT_LOCKED while the winner runs; TRAIN_OUT_EXISTS if the loser starts after the winner finished.
        expect(["OUTPUT_LOCKED", "TRAIN_OUT_EXISTS"], loser.stderr).toContain(code);
        expect(readFileSync(join(out, "metrics.jsonl"), "utf8"), `round ${i}`).toBe(metrics);
      }
      expect(refusals.OUTPUT_LOCKED ?? 0, JSON.stringify(refusals)).toBeGreaterThanOrEqual(ITERATIONS / 2);
    }, 120_000);
  },
);
