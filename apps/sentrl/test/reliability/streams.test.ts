// Streams and errors at the process boundary (docs/contracts.md §1): a reader that closes early ends the command
// quietly with status 0; stdout on a full disk is NO_SPACE; progress output failing never stops a job; errno codes
// never leak; no stack trace reaches the user.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { reportError } from "../../src/cli.js";
import { fromSystemError } from "../../src/io/fs-errors.js";
import { BUILT, finish, NOT_BUILT_REASON, oneLineError, runBuilt, scratch, spawnCli, toyConfig } from "./helpers.js";

const gradeLines = (n: number) =>
  Array.from({ length: n }, (_, i) => JSON.stringify({ response: `\\boxed{${i}}`, gold: String(i) })).join("\n");

describe.skipIf(!BUILT)(`closed and full streams${BUILT ? "" : ` (skipped: ${NOT_BUILT_REASON})`}`, () => {
  it("`grade … | head -1`: the reader closes after one line → exit 0, nothing on stderr", async () => {
    for (let i = 0; i < 3; i++) {
      const child = spawnCli(["grade", "--checker", "dapo"]);
      child.stdin?.on("error", () => {});
      child.stdin?.end(gradeLines(20000));
      let first = "";
      child.stdout?.once("data", (d) => {
        first = String(d).split("\n")[0];
        child.stdout?.destroy(); // what `head -1` does
      });
      const r = await finish(child);
      expect(JSON.parse(first)).toHaveProperty("correct");
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toBe("");
    }
  });

  it("stdout on a full disk (/dev/full) → NO_SPACE naming stdout, one line, exit 1", async () => {
    const fd = openSync("/dev/full", "w");
    const r = await finish(spawnCli(["benchmarks"], { stdio: ["ignore", fd, "pipe"] }));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^sentrl: NO_SPACE: stdout: no space left on the device/);
    expect(oneLineError(r.stderr)).toBe(true);
  });

  it("train keeps going when its stderr is closed or full: same metrics as with a terminal", async () => {
    const dir = scratch("stderr");
    const cfg = toyConfig(dir, { checkpointEvery: "4" });
    const ref = await runBuilt(["train", "--config", cfg, "--out", join(dir, "ref")]);
    expect(ref.code, ref.stderr).toBe(0);
    const closed = spawnCli(["train", "--config", cfg, "--out", join(dir, "closed")]);
    closed.stderr?.destroy();
    const a = await finish(closed);
    expect(a.code).toBe(0);
    const full = await finish(
      spawnCli(["train", "--config", cfg, "--out", join(dir, "full")], {
        stdio: ["ignore", "pipe", openSync("/dev/full", "w")],
      }),
    );
    expect(full.code).toBe(0);
    const metrics = readFileSync(join(dir, "ref", "metrics.jsonl"), "utf8");
    expect(readFileSync(join(dir, "closed", "metrics.jsonl"), "utf8")).toBe(metrics);
    expect(readFileSync(join(dir, "full", "metrics.jsonl"), "utf8")).toBe(metrics);
  });

  it("--out that is a file or device: PATH_NOT_DIRECTORY, not EEXIST", async () => {
    const dir = scratch("outfile");
    const cfg = toyConfig(dir);
    writeFileSync(join(dir, "afile"), "x");
    for (const out of ["/dev/full", join(dir, "afile"), join(dir, "afile", "sub")]) {
      const r = await runBuilt(["train", "--config", cfg, "--out", out]);
      expect(r.code, out).toBe(1);
      expect(r.stderr, out).toMatch(/^sentrl: PATH_NOT_DIRECTORY: /);
      expect(oneLineError(r.stderr)).toBe(true);
    }
  });
});

// A small tmpfs gives a real full disk and a real read-only file system (needs root; skipped, saying so, without).
const MNT = scratch("mnt");
let mounted = false;
try {
  execFileSync("mount", ["-t", "tmpfs", "-o", "size=48k", "tmpfs", MNT], { stdio: "ignore" });
  mounted = true;
} catch {
  mounted = false;
}
afterAll(() => {
  if (mounted) execFileSync("umount", [MNT], { stdio: "ignore" });
});

describe.skipIf(!BUILT || !mounted)(
  `a full and a read-only file system${mounted ? "" : " (skipped: cannot mount a tmpfs here; needs root)"}`,
  () => {
    it("train on a full disk → NO_SPACE naming the file; read-only → READ_ONLY_FS; one line, exit 1", async () => {
      const dir = scratch("fulldisk");
      const cfg = toyConfig(dir, { totalSteps: "400", checkpointEvery: "50" });
      const r = await runBuilt(["train", "--config", cfg, "--out", join(MNT, "run")]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`^sentrl: NO_SPACE: ${MNT}/run/\\S+: no space left on the device`, "m"));
      expect(oneLineError(r.stderr)).toBe(true);
      execFileSync("mount", ["-o", "remount,ro", MNT]);
      try {
        const ro = await runBuilt(["train", "--config", cfg, "--out", join(MNT, "other")]);
        expect(ro.code).toBe(1);
        expect(ro.stderr).toMatch(new RegExp(`^sentrl: READ_ONLY_FS: ${MNT}/other: the file system is read-only`));
        expect(oneLineError(ro.stderr)).toBe(true);
      } finally {
        execFileSync("mount", ["-o", "remount,rw", MNT]);
      }
    });
  },
);

describe("error mapping and INTERNAL (in-process)", () => {
  it("errno codes become documented codes naming the path", () => {
    const cases: [string, string][] = [
      ["ENOSPC", "NO_SPACE"],
      ["EDQUOT", "NO_SPACE"],
      ["EACCES", "PERMISSION_DENIED"],
      ["EPERM", "PERMISSION_DENIED"],
      ["EROFS", "READ_ONLY_FS"],
      ["EISDIR", "PATH_IS_DIRECTORY"],
      ["ENOTDIR", "PATH_NOT_DIRECTORY"],
      ["EEXIST", "PATH_NOT_DIRECTORY"],
      ["ENOENT", "PATH_NOT_FOUND"],
      ["EIO", "IO_ERROR"],
      ["EWEIRD", "IO_ERROR"],
    ];
    for (const [errno, code] of cases) {
      const e = Object.assign(new Error(`${errno}: x`), {
        code: errno,
        syscall: "open",
        path: "/runs/a/metrics.jsonl",
      });
      const err = fromSystemError(e);
      expect(err.code, errno).toBe(code);
      expect(err.message).toMatch(/^\/runs\/a\/metrics\.jsonl: /);
      let text = "";
      expect(reportError(e, { stderr: { write: (s: string) => (text += s) }, env: {} })).toBe(1);
      expect(text).toMatch(new RegExp(`^sentrl: ${code}: /runs/a/metrics\\.jsonl: .*\\n$`));
    }
  });

  it("an unexpected error is one INTERNAL line saying where to report it; the stack only with SENTRL_DEBUG=1", () => {
    let text = "";
    const io = { stderr: { write: (s: string) => (text += s) }, env: {} as Record<string, string> };
    const bug = new TypeError("Cannot read properties of undefined (reading 'x')\nsecond line");
    expect(reportError(bug, io)).toBe(1);
    expect(text).toMatch(
      /^sentrl: INTERNAL: TypeError: Cannot read properties of undefined \(reading 'x'\) \(a bug in sentrl: please report it .* at https:\/\/github\.com\/sentrl\/sentrl\/issues\)\n$/,
    );
    text = "";
    reportError(Object.assign(new Error("x"), { code: "ERR_MODULE_NOT_FOUND" }), io);
    expect(text).toMatch(/^sentrl: INTERNAL: Error: x/);
    text = "";
    io.env.SENTRL_DEBUG = "1";
    reportError(bug, io);
    expect(text).toMatch(/\n\s+at /);
  });

  it("a 20 MB message is cut to a bounded line", () => {
    let text = "";
    const e = Object.assign(new Error(`bad value ${"x".repeat(20_000_000)}`), { code: "ADV_BAD_INPUT" });
    reportError(e, { stderr: { write: (s: string) => (text += s) }, env: {} });
    expect(text.length).toBeLessThan(2100);
    expect(text).toMatch(/… \(\d+ more characters\)\n$/);
  });
});

it("scratch mount point exists", () => {
  expect(existsSync(MNT)).toBe(true);
  mkdirSync(join(MNT, "probe"), { recursive: true });
});
