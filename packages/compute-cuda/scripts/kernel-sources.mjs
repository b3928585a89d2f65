// The kernel sources and their hash, shared by the build (build-kernels.mjs), the runtime check of the emulator
// library and the stale-PTX test. The hash covers kernels/*.cu and *.cuh (and, for the emulator, emu/*) with the
// compiler flags, so any edit to a kernel makes the committed PTX and a built emulator visibly stale.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** nvcc flags for the committed PTX: compute_75 PTX (JIT-compiled by any driver for Turing and newer). */
export const NVCC_FLAGS = ["-ptx", "-arch=compute_75", "-std=c++17"];
/** g++ flags for the emulator (no fast-math: the same IEEE arithmetic as the kernels ask for). */
export const EMU_FLAGS = [
  "-std=c++20",
  "-O2",
  "-fPIC",
  "-U_FORTIFY_SOURCE",
  "-D_FORTIFY_SOURCE=0",
  "-fno-stack-protector",
  "-w",
];

/** kernels/*.cu, sorted by name. */
export function kernelSources(root) {
  const dir = join(root, "kernels");
  return readdirSync(dir)
    .filter((f) => f.endsWith(".cu"))
    .sort()
    .map((f) => ({ name: f.slice(0, -3), path: join(dir, f), text: readFileSync(join(dir, f), "utf8") }));
}

/** The `extern "C" __global__` kernel names of a source text. */
export function kernelNames(text) {
  return [...text.matchAll(/extern "C" __global__ void (?:__launch_bounds__\([^)]*\) )?(\w+)\s*\(/g)].map((m) => m[1]);
}

/** SHA-256 over the kernel sources (and the emulator's own files when `emulator`), with the flags. */
export function sourcesHash(root, emulator = false) {
  const h = createHash("sha256");
  const files = [];
  for (const f of readdirSync(join(root, "kernels")).sort()) if (/\.cuh?$/.test(f)) files.push(join("kernels", f));
  if (emulator) for (const f of readdirSync(join(root, "emu")).sort()) files.push(join("emu", f));
  h.update(emulator ? EMU_FLAGS.join(" ") : NVCC_FLAGS.join(" "));
  for (const f of files) {
    h.update(`\0${f}\0`);
    h.update(readFileSync(join(root, f)));
  }
  return h.digest("hex");
}
