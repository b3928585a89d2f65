// cuBLAS is found by a dlopen search (tested on fake library folders), and the backend's GEMM layouts are right under
// the documented cuBLAS contract: the conformance suite runs on the emulator with a CPU stand-in cuBLAS.
import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runBackendConformance } from "@sentrl/compute/testing";
import { describe, expect, it } from "vitest";
import {
  cublasSearchDirs,
  createCudaEmulatorBackend,
  describeCudaBackend,
  emulatorStatus,
  findCublas,
  loadCublas,
} from "../src/index.js";

const hasCc = spawnSync("cc", ["--version"]).status === 0;
const status = emulatorStatus();
const reason = "reason" in status ? status.reason : !hasCc ? "no C compiler (cc) for the stand-in cuBLAS" : "";
const root = mkdtempSync(join(tmpdir(), "fake-cublas-"));
const fake = join(root, "libcublas-fake.so");
if (hasCc) execFileSync("cc", ["-shared", "-fPIC", "-O1", "-o", fake, join(import.meta.dirname, "fake_cublas.c")]);

/** A folder holding the stand-in under the given sonames. */
function libDir(name: string, sonames: string[]): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  for (const so of sonames) copyFileSync(fake, join(dir, so));
  return dir;
}
const bare = { HOME: join(root, "no-home") };

describe.skipIf(!hasCc)("cuBLAS dlopen search", () => {
  it("finds .so.13 before .so.12, CUDA_HOME before LD_LIBRARY_PATH, and the Python wheel under VIRTUAL_ENV", () => {
    const both = libDir("both", ["libcublas.so.12", "libcublas.so.13"]);
    const old = libDir("old", ["libcublas.so.12"]);
    const home = join(root, "cuda");
    libDir("cuda/lib64", ["libcublas.so.13"]);
    const venv = join(root, "venv");
    const wheel = libDir("venv/lib/python3.12/site-packages/nvidia/cublas/lib", ["libcublas.so.13"]);
    const found = findCublas({ ...bare, CUDA_HOME: home, LD_LIBRARY_PATH: `${old}:${both}`, VIRTUAL_ENV: venv });
    const mine = found.filter((f) => f.startsWith(root));
    expect(mine).toEqual([
      join(home, "lib64", "libcublas.so.13"),
      join(old, "libcublas.so.12"),
      join(both, "libcublas.so.13"),
      join(both, "libcublas.so.12"),
      join(wheel, "libcublas.so.13"),
    ]);
    expect(cublasSearchDirs({ ...bare, SENTRL_CUBLAS_DIR: "/x" })[0]).toBe("/x");
  });

  it("loads the first candidate that dlopens, skipping broken files, and says why when none does", () => {
    const broken = join(root, "broken");
    mkdirSync(broken, { recursive: true });
    writeFileSync(join(broken, "libcublas.so.13"), "not an ELF file");
    const good = libDir("good", ["libcublas.so.12"]);
    const lib = loadCublas({ ...bare, LD_LIBRARY_PATH: `${broken}:${good}` });
    expect(typeof lib === "string" ? lib : lib.library).toBe(join(good, "libcublas.so.12"));
    const none = loadCublas({ ...bare }, join(broken, "libcublas.so.13"));
    expect(none).toMatch(/^cuBLAS not found \(.*broken\/libcublas\.so\.13/);
  });
});

describe.skipIf(!!reason)(
  `GEMM through a stand-in cuBLAS on the emulator${reason ? ` (skipped: ${reason})` : ""}`,
  () => {
    it("the backend reports which GEMM it uses", () => {
      expect(describeCudaBackend(createCudaEmulatorBackend({ cublas: fake }))).toMatchObject({
        gemm: "cublas",
        cublasLibrary: fake,
      });
      expect(describeCudaBackend(createCudaEmulatorBackend())).toMatchObject({
        gemm: "sgemm",
        cublasReason: "disabled",
      });
    });
    runBackendConformance(() => createCudaEmulatorBackend({ cublas: fake }), { describe, it }, { skipBigVocab: true });
  },
);
