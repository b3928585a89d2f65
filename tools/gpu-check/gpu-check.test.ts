import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

describe("npm run gpu-check", () => {
  it.skipIf(existsSync("/dev/nvidia0"))("exits at once with a clear message on a machine without a GPU", () => {
    const t0 = Date.now();
    const r = spawnSync("bash", [join(import.meta.dirname, "run.sh")], {
      encoding: "utf8",
      env: { ...process.env, PATH: "/usr/bin:/bin" },
    });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(
      /^gpu-check: no NVIDIA GPU on this machine .*nothing to check\.\ngpu-check: run it on a GPU machine; preparation and carry list are in the header/,
    );
    expect(Date.now() - t0).toBeLessThan(5000);
  });
});
