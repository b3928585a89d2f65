import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Shared by the ONNX benchmarks: runs tools/onnx/bench_torch.py (the PyTorch baseline) when Debian's python3-torch is
 * there, and builds the "small" benchmark models once per process. Without Python the benchmarks time only ONNX
 * and say why the baseline is missing.
 */
const PY = "/usr/bin/python3";
const SCRIPT = join(import.meta.dirname, "bench_torch.py");

export const COMMITTED_MODELS = join(import.meta.dirname, "models");

export function torchAvailable(): boolean {
  return existsSync(PY) && spawnSync(PY, ["-c", "import torch, onnx"], { stdio: "ignore" }).status === 0;
}

/** `bench_torch.py <args>` → its JSON line (or an object saying why there is none). */
export function torchBaseline(args: string[]): Record<string, unknown> {
  if (!torchAvailable()) return { impl: "pytorch", skipped: "no /usr/bin/python3 with torch + onnx" };
  const r = spawnSync(PY, [SCRIPT, ...args], { encoding: "utf8", env: { ...process.env, OMP_WAIT_POLICY: "PASSIVE" } });
  if (r.status !== 0)
    return { impl: "pytorch", skipped: `bench_torch.py failed: ${r.stderr.trim().split("\n").at(-1)}` };
  return JSON.parse(r.stdout.trim().split("\n").at(-1) as string);
}

let small: string | undefined;
/** Folder holding small-nli/ and small-qwen2/ (random weights), or undefined without Python. */
export function smallModels(): string | undefined {
  if (small || !torchAvailable()) return small;
  const dir = mkdtempSync(join(tmpdir(), "sentrl-onnx-bench-"));
  const r = spawnSync(PY, [SCRIPT, "build", dir], { encoding: "utf8" });
  if (r.status === 0) small = dir;
  return small;
}
