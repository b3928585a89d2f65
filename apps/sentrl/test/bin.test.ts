import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(__dirname, "..", "..", "..");
const bin = join(root, "node_modules", ".bin", "sentrl");
const built = existsSync(join(root, "apps", "sentrl", "dist", "cli.js"));

describe("the installed `sentrl` bin (docs/contracts.md §1)", () => {
  it.skipIf(!built)("prints the command overview with --help and exits 0", () => {
    const out = execFileSync(bin, ["--help"], { encoding: "utf8" });
    expect(out).toContain("Usage: sentrl <command>");
    for (const c of ["loss", "advantages", "grade", "se", "score", "eval"]) expect(out).toContain(`  ${c}`);
  });

  it.skipIf(!built)("reports an unknown command as a usage error (exit 2) on stderr only", () => {
    const r = spawnSync(bin, ["frobnicate"], { encoding: "utf8" });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^sentrl: USAGE: unknown command `frobnicate`/);
  });

  it("the launcher says how to build, exit 1, when dist is missing", () => {
    // A copy of the launcher in a folder with no dist/ beside it behaves like a fresh, unbuilt checkout.
    const dir = mkdtempSync(join(tmpdir(), "sentrl-bin-"));
    mkdirSync(join(dir, "bin"));
    copyFileSync(join(root, "apps", "sentrl", "bin", "sentrl.mjs"), join(dir, "bin", "sentrl.mjs"));
    const r = spawnSync(process.execPath, [join(dir, "bin", "sentrl.mjs"), "--help"], { encoding: "utf8" });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe("sentrl is not built: run npm run build\n");
  });
});

describe("`sentrl` with no command", () => {
  it("is a usage error: the overview on stderr, nothing on stdout, exit 2", async () => {
    const { main } = await import("../src/cli.js");
    let out = "";
    let err = "";
    const code = await main([], {
      stdin: process.stdin,
      stdout: { write: (s: string) => (out += s) },
      stderr: { write: (s: string) => (err += s) },
      env: process.env,
    });
    expect(code).toBe(2);
    expect(out).toBe("");
    expect(err).toContain("Usage: sentrl <command>");
  });
});

describe("`sentrl --version`", () => {
  it("prints the app package's version on stdout, exit 0", async () => {
    const { main } = await import("../src/cli.js");
    let out = "";
    const code = await main(["--version"], {
      stdin: process.stdin,
      stdout: { write: (s: string) => (out += s) },
      stderr: { write: () => true },
      env: process.env,
    });
    const { version } = JSON.parse(readFileSync(join(import.meta.dirname, "..", "package.json"), "utf8")) as {
      version: string;
    };
    expect(code).toBe(0);
    expect(out).toBe(`${version}\n`);
  });
});
