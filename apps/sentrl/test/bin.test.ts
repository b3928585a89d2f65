import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(__dirname, "..", "..", "..");
const bin = join(root, "node_modules", ".bin", "sentrl");
const built = existsSync(join(root, "apps", "sentrl", "dist", "cli.js"));

describe("the installed `sentrl` bin (CONTRACTS §1)", () => {
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

  it("the launcher says how to build when dist is missing", () => {
    const launcher = join(root, "apps", "sentrl", "bin", "sentrl.mjs");
    const src = require("node:fs").readFileSync(launcher, "utf8");
    expect(src).toContain("sentrl is not built: run npm run build");
  });
});
