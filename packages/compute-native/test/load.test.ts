import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { loadNativeKernels, nativeAddonPath, nativeKernelsStatus } from "../src/index.js";

describe("loading", () => {
  it("status agrees with loadNativeKernels and gives a reason exactly when unavailable", () => {
    const k = loadNativeKernels();
    const s = nativeKernelsStatus();
    expect(s.available).toBe(k !== null);
    expect(s.reason === null).toBe(k !== null);
    expect(s.addonPath).toBe(nativeAddonPath());
    if (k) expect(k.threads()).toBeGreaterThanOrEqual(1);
  });

  it("returns null with a reason (never throws) when the addon is missing or disabled", () => {
    const script = [
      'import { loadNativeKernels, nativeKernelsStatus } from "./src/index.ts";',
      "const k = loadNativeKernels();",
      "console.log(JSON.stringify({ k: k === null, s: nativeKernelsStatus() }));",
    ].join("\n");
    const run = (env: Record<string, string>) => {
      const r = spawnSync(
        process.execPath,
        ["--import", "tsx", "--conditions=source", "--input-type=module", "-e", script],
        {
          cwd: new URL("..", import.meta.url),
          env: { ...process.env, ...env },
          encoding: "utf8",
        },
      );
      expect(r.status, r.stderr).toBe(0);
      return JSON.parse(r.stdout.trim().split("\n").pop()!) as {
        k: boolean;
        s: { available: boolean; reason: string };
      };
    };
    const missing = run({ SENTRL_NATIVE_ADDON: "/nonexistent/sentrl_native.node" });
    expect(missing.k).toBe(true);
    expect(missing.s.available).toBe(false);
    expect(missing.s.reason).toMatch(/not built.*npm rebuild @sentrl\/compute-native/);
    const disabled = run({ SENTRL_NATIVE: "0" });
    expect(disabled.k).toBe(true);
    expect(disabled.s.reason).toMatch(/SENTRL_NATIVE=0/);
  });
});
