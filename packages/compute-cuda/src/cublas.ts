import { existsSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { homedir } from "node:os";
import { join } from "node:path";
import { moduleFile } from "./paths.js";

/** The cuBLAS sonames we can use, newest first. */
export const CUBLAS_SONAMES = ["libcublas.so.13", "libcublas.so.12"] as const;

function sitePackages(prefix: string): string[] {
  const lib = join(prefix, "lib");
  let entries: string[] = [];
  try {
    entries = readdirSync(lib).filter((d) => /^python3(\.\d+)?$/.test(d));
  } catch {
    return [];
  }
  return entries
    .sort()
    .reverse()
    .flatMap((py) =>
      ["site-packages", "dist-packages"].flatMap((sp) => [
        join(lib, py, sp, "nvidia", "cublas", "lib"),
        join(lib, py, sp, "nvidia", "cu13", "lib"),
      ]),
    );
}

/**
 * Folders searched for cuBLAS, in order: `SENTRL_CUBLAS_DIR`, `CUDA_HOME`/`CUDA_PATH` (`lib64`, `lib`), each
 * `LD_LIBRARY_PATH` entry, the usual toolkit paths, then the Python wheel (`site-packages/nvidia/cublas/lib`, or
 * `nvidia/cu13/lib`) under `VIRTUAL_ENV`, `CONDA_PREFIX`, `/opt/torch/.venv`, `~/.local`, `/usr/local` and `/usr`.
 */
export function cublasSearchDirs(env: NodeJS.ProcessEnv = process.env): string[] {
  const dirs: string[] = [];
  if (env.SENTRL_CUBLAS_DIR) dirs.push(env.SENTRL_CUBLAS_DIR);
  for (const home of [env.CUDA_HOME, env.CUDA_PATH]) if (home) dirs.push(join(home, "lib64"), join(home, "lib"));
  for (const d of (env.LD_LIBRARY_PATH ?? "").split(":")) if (d) dirs.push(d);
  dirs.push(
    "/usr/local/cuda/lib64",
    "/usr/local/cuda-13/lib64",
    "/usr/local/cuda-12/lib64",
    "/usr/local/cuda/targets/x86_64-linux/lib",
    "/usr/lib/x86_64-linux-gnu",
    "/usr/lib64",
  );
  for (const prefix of [
    env.VIRTUAL_ENV,
    env.CONDA_PREFIX,
    "/opt/torch/.venv",
    join(env.HOME ?? homedir(), ".local"),
    "/usr/local",
    "/usr",
  ]) {
    if (prefix) dirs.push(...sitePackages(prefix));
  }
  return [...new Set(dirs)];
}

/** Existing cuBLAS library files in search order (`.so.13` before `.so.12` within a folder). */
export function findCublas(env: NodeJS.ProcessEnv = process.env): string[] {
  const found: string[] = [];
  for (const dir of cublasSearchDirs(env))
    for (const so of CUBLAS_SONAMES) if (existsSync(join(dir, so))) found.push(join(dir, so));
  return found;
}

/** The cuBLAS entry points we call (CUBLAS_STATUS_SUCCESS = 0). Device pointers are 64-bit integers. */
export interface Cublas {
  readonly library: string;
  create(out: unknown[]): number;
  sgemmStridedBatched(
    handle: unknown,
    transa: number,
    transb: number,
    m: number,
    n: number,
    k: number,
    alpha: Float32Array,
    a: bigint,
    lda: number,
    strideA: number,
    b: bigint,
    ldb: number,
    strideB: number,
    beta: Float32Array,
    c: bigint,
    ldc: number,
    strideC: number,
    batch: number,
  ): number;
}

/**
 * dlopens cuBLAS (no link-time dependency): `explicit` when given, else the first of `findCublas(env)` that loads,
 * else the bare sonames through the system linker path. Loads `libcublasLt` from the same folder first (the
 * Python wheel's cuBLAS finds it only that way). Returns the binding, or the reason it could not.
 */
export function loadCublas(env: NodeJS.ProcessEnv = process.env, explicit?: string): Cublas | string {
  let koffi: typeof import("koffi");
  try {
    koffi = createRequire(moduleFile())("koffi");
  } catch (e) {
    return `koffi could not be loaded (${(e as Error).message})`;
  }
  const candidates = explicit ? [explicit] : [...findCublas(env), ...CUBLAS_SONAMES];
  const errors: string[] = [];
  for (const path of candidates) {
    try {
      const lt = path.replace(/libcublas\.so/, "libcublasLt.so");
      if (lt !== path && existsSync(lt)) koffi.load(lt);
      const lib = koffi.load(path);
      const create = lib.func("int cublasCreate_v2(_Out_ void **handle)");
      const gemm = lib.func(
        "int cublasSgemmStridedBatched(void *h, int ta, int tb, int m, int n, int k, const float *alpha, uint64_t A, int lda, int64_t sA, uint64_t B, int ldb, int64_t sB, const float *beta, uint64_t C, int ldc, int64_t sC, int batch)",
      );
      return { library: path, create, sgemmStridedBatched: gemm } as unknown as Cublas;
    } catch (e) {
      errors.push(`${path}: ${(e as Error).message}`);
    }
  }
  return `cuBLAS not found (${errors.length ? errors.join("; ") : "no candidates"})`;
}
