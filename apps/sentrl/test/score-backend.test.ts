import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { loadFastKernels } from "@sentrl/compute";
import { describe, expect, it } from "vitest";
import { runCli } from "./fake-io.js";

const dir = join(import.meta.dirname, "..", "..", "..", "packages", "model", "test", "fixtures", "qwen2-gqa4-bf16");
const exp = JSON.parse(readFileSync(join(dir, "expected.json"), "utf8")) as { temperature: number; tokens: number[][]; logp: number[][] };
const { kernels, reason } = await loadFastKernels();

describe("sentrl score --backend", () => {
  it.skipIf(!kernels)(`fast and reference agree and both match PyTorch${kernels ? "" : ` (skipped: ${reason})`}`, async () => {
    const input = JSON.stringify({ tokens: exp.tokens });
    const args = ["score", "--model", dir, "--temperature", String(exp.temperature)];
    const [fast, ref] = [await runCli([...args, "--backend", "fast"], input), await runCli([...args, "--backend", "reference"], input)];
    expect([fast.code, ref.code, fast.stderr, ref.stderr]).toEqual([0, 0, "", ""]);
    const f = JSON.parse(fast.stdout) as { logp: number[][] };
    const r = JSON.parse(ref.stdout) as { logp: number[][] };
    f.logp.forEach((row, i) => {
      row.forEach((v, t) => {
        expect(Math.abs(v - r.logp[i][t])).toBeLessThan(1e-5);
        expect(Math.abs(v - exp.logp[i][t])).toBeLessThan(1e-4);
      });
    });
  });

  it.skipIf(existsSync("/dev/nvidia0"))("--backend cuda without a GPU is BACKEND_UNAVAILABLE (exit 1), with the reason", async () => {
    const r = await runCli(["score", "--model", dir, "--backend", "cuda"], '{"tokens":[[1,2]]}');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^sentrl: BACKEND_UNAVAILABLE: backend `cuda` is unavailable: /);
  });

  it("an unknown backend is a usage error", async () => {
    const r = await runCli(["score", "--model", dir, "--backend", "gpu"], '{"tokens":[[1,2]]}');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^sentrl: USAGE: --backend must be one of auto, fast, reference/);
  });
});
