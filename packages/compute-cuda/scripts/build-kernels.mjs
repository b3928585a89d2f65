#!/usr/bin/env node
// Builds the CUDA kernels of @sentrl/compute-cuda (run by `npm run build`, before tsup):
//   1. PTX: when nvcc is on PATH and the sources changed since ptx/SOURCES.json, compiles every kernels/*.cu to
//      ptx/<name>.ptx (committed, so installs need no CUDA toolkit) and records the sources' SHA-256 there.
//   2. The CPU emulator: when g++ is present, compiles the same .cu files with emu/emu.h plus emu/driver.cpp into
//      build/libsentrl_cuda_emu.so (git-ignored). Without a compiler it says why and the emulator tests skip.
// Never fails the build for a missing toolchain; fails for a compile error.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { EMU_FLAGS, kernelNames, kernelSources, NVCC_FLAGS, sourcesHash } from "./kernel-sources.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const log = (m) => process.stderr.write(`compute-cuda build: ${m}\n`);
const has = (cmd) => spawnSync(cmd, ["--version"], { stdio: "ignore" }).status === 0;
const writeAtomic = (path, text) => {
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
};

const sources = kernelSources(root);
const hash = sourcesHash(root);

// 1. PTX
const recordPath = join(root, "ptx", "SOURCES.json");
const record = existsSync(recordPath) ? JSON.parse(readFileSync(recordPath, "utf8")) : {};
if (!has("nvcc")) {
  log(
    record.sha256 === hash
      ? "nvcc not found; the committed PTX matches the sources"
      : "nvcc not found; the committed PTX is STALE against kernels/ (rebuild where nvcc exists)",
  );
} else if (record.sha256 === hash && sources.every((s) => existsSync(join(root, "ptx", `${s.name}.ptx`)))) {
  log("PTX up to date");
} else {
  const version = /release \S+, V\S+/.exec(execFileSync("nvcc", ["--version"], { encoding: "utf8" }))?.[0] ?? "unknown";
  mkdirSync(join(root, "ptx"), { recursive: true });
  for (const s of sources) {
    const out = join(root, "ptx", `${s.name}.ptx`);
    execFileSync("nvcc", [...NVCC_FLAGS, "-o", `${out}.tmp`, s.path], { stdio: "inherit" });
    renameSync(`${out}.tmp`, out);
  }
  writeAtomic(
    recordPath,
    `${JSON.stringify({ sha256: hash, nvcc: version, flags: NVCC_FLAGS.join(" "), files: sources.map((s) => `${s.name}.ptx`) }, null, 2)}\n`,
  );
  log(`PTX rebuilt with nvcc ${version} (${sources.length} files)`);
}

// 2. Emulator
const build = join(root, "build");
mkdirSync(join(build, "emu"), { recursive: true });
const lib = join(build, "libsentrl_cuda_emu.so");
const status = join(build, "emu-status.json");
const emuHash = sourcesHash(root, true);
const old = existsSync(status) ? JSON.parse(readFileSync(status, "utf8")) : {};
if (old.ok && old.sha256 === emuHash && existsSync(lib)) {
  log("emulator up to date");
} else if (!has("g++")) {
  writeAtomic(
    status,
    `${JSON.stringify({ ok: false, reason: "g++ (C++20) not found: the CUDA emulator library was not built" })}\n`,
  );
  log("g++ not found: the CUDA emulator was not built (its tests skip)");
} else {
  const objects = [];
  const jobs = [];
  const selftest = join(root, "emu", "selftest.cu");
  const emuSources = [...sources, { name: "selftest", path: selftest, text: readFileSync(selftest, "utf8") }];
  for (const s of emuSources) {
    const unit = join(build, "emu", `${s.name}.cpp`);
    const regs = kernelNames(s.text)
      .map((k) => `EMU_KERNEL(${k})`)
      .join("\n");
    writeFileSync(unit, `#include "${s.path}"\n${regs}\n`);
    const obj = unit.replace(/\.cpp$/, ".o");
    objects.push(obj);
    jobs.push(["g++", [...EMU_FLAGS, "-include", join(root, "emu", "emu.h"), "-c", "-o", obj, unit]]);
  }
  const drvObj = join(build, "emu", "driver.o");
  objects.push(drvObj);
  jobs.push(["g++", [...EMU_FLAGS, "-c", "-o", drvObj, join(root, "emu", "driver.cpp")]]);
  // two at a time (the machines have two cores)
  const { spawn } = await import("node:child_process");
  const run = ([cmd, args]) =>
    new Promise((resolve, reject) => {
      const p = spawn(cmd, args, { stdio: "inherit" });
      p.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.at(-1)} failed (${code})`))));
    });
  const queue = [...jobs];
  await Promise.all(
    [0, 1].map(async () => {
      while (queue.length) await run(queue.shift());
    }),
  );
  execFileSync("g++", ["-shared", "-o", `${lib}.tmp`, ...objects]);
  renameSync(`${lib}.tmp`, lib);
  writeAtomic(status, `${JSON.stringify({ ok: true, sha256: emuHash, library: "libsentrl_cuda_emu.so" })}\n`);
  log(`emulator built: ${lib}`);
}
