#!/usr/bin/env node
// Builds the optional native addon (build/Release/sentrl_native.node) with node-gyp. It NEVER fails: on any problem
// it records why in build/native-build.json, prints one line to stderr and exits 0, so the package still installs
// and the callers fall back to the TypeScript kernels.
//   node scripts/build.mjs           build when the addon is missing or older than its sources, unless the
//                                    published package's prebuilt addon (prebuilds/<platform>-<arch>/) loads
//   node scripts/build.mjs --force   always rebuild
// Environment: SENTRL_NATIVE_SKIP=1 skips the build; npm_config_node_gyp / npm_config_nodedir are honoured.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const addon = join(root, "build", "Release", "sentrl_native.node");
// Shipped in the published package for linux-x64 (tools/release/stage.mjs); absent in the monorepo.
const prebuilt = join(root, "prebuilds", `${process.platform}-${process.arch}`, "sentrl_native.node");
const statusFile = join(root, "build", "native-build.json");
const force = process.argv.includes("--force");

const lockDir = join(root, "build-native.lock");
let locked = false;

// Builds from parallel `npm run build`s must not share build/ at the same time: a lock directory serialises them.
function lock() {
  const deadline = Date.now() + 5 * 60_000;
  for (;;) {
    try {
      mkdirSync(lockDir);
      locked = true;
      return;
    } catch (e) {
      if (e?.code !== "EEXIST") return; // cannot lock here: build anyway
      try {
        if (Date.now() - statSync(lockDir).mtimeMs > 5 * 60_000) rmSync(lockDir, { recursive: true, force: true });
      } catch {
        // raced with its owner
      }
      if (Date.now() > deadline) return;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
    }
  }
}

function record(ok, reason, log = "") {
  if (locked) rmSync(lockDir, { recursive: true, force: true });
  try {
    mkdirSync(join(root, "build"), { recursive: true });
    const status = {
      ok,
      reason,
      addon: ok ? addon : null,
      node: process.version,
      at: new Date().toISOString(),
      log: log.slice(-4000),
    };
    writeFileSync(statusFile, `${JSON.stringify(status, null, 2)}\n`);
  } catch {
    // recording is best effort
  }
  process.stderr.write(
    `@sentrl/compute-native: ${ok ? "native kernels built" : `native kernels not built (${reason}); the TypeScript path will be used`}\n`,
  );
  process.exit(0);
}

function newestSource() {
  let newest = statSync(join(root, "binding.gyp")).mtimeMs;
  for (const f of readdirSync(join(root, "src", "native")))
    newest = Math.max(newest, statSync(join(root, "src", "native", f)).mtimeMs);
  return newest;
}

/** Whether the shipped prebuild exists and loads in this Node (then an install compiles nothing). */
function prebuiltLoads() {
  if (!existsSync(prebuilt)) return false;
  try {
    const binding = createRequire(import.meta.url)(prebuilt);
    return typeof binding.abiVersion === "number" && binding.cpuSupported();
  } catch {
    return false;
  }
}

function findNodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp,
    // npm ships node-gyp; look next to the running node (…/bin/node -> …/lib/node_modules/npm/…)
    join(
      dirname(process.execPath),
      "..",
      "lib",
      "node_modules",
      "npm",
      "node_modules",
      "node-gyp",
      "bin",
      "node-gyp.js",
    ),
    join(dirname(process.execPath), "node_modules", "npm", "node_modules", "node-gyp", "bin", "node-gyp.js"),
  ];
  for (const c of candidates) if (c && existsSync(c)) return c;
  try {
    return createRequire(import.meta.url).resolve("node-gyp/bin/node-gyp.js");
  } catch {
    return null;
  }
}

function findNodeDir() {
  if (process.env.npm_config_nodedir) return process.env.npm_config_nodedir;
  // Use the running node's own headers when they are installed (no download needed).
  const prefix = resolve(dirname(process.execPath), "..");
  if (existsSync(join(prefix, "include", "node", "node_api.h"))) return prefix;
  return null;
}

try {
  if (process.env.SENTRL_NATIVE_SKIP === "1") record(false, "SENTRL_NATIVE_SKIP=1");
  if (process.arch !== "x64")
    record(false, `unsupported architecture ${process.arch} (the kernels need x86-64 AVX2/FMA)`);
  if (!force && existsSync(addon) && statSync(addon).mtimeMs >= newestSource()) record(true, "up to date");
  if (!force && !existsSync(addon) && prebuiltLoads()) record(true, "prebuilt addon loads; nothing to compile");
  lock();
  // Another build may have finished while we waited.
  if (!force && existsSync(addon) && statSync(addon).mtimeMs >= newestSource()) record(true, "up to date");
  const gyp = findNodeGyp();
  if (!gyp) record(false, "node-gyp not found (install npm's node-gyp or set npm_config_node_gyp)");
  const args = [gyp, "rebuild", "-j", "2"];
  const nodedir = findNodeDir();
  if (nodedir) args.push(`--nodedir=${nodedir}`);
  const r = spawnSync(process.execPath, args, { cwd: root, encoding: "utf8", timeout: 600_000, maxBuffer: 64 << 20 });
  const log = `${r.stdout ?? ""}${r.stderr ?? ""}`;
  if (r.error) record(false, `node-gyp could not run: ${r.error.message}`, log);
  if (r.status !== 0) {
    const lines = log.split("\n");
    // The most specific line: a compiler/linker error, then node-gyp's own error, then anything that says error.
    const err =
      lines.find((l) => /\berror:|fatal error|not found|No such file/i.test(l) && !/^gyp info/.test(l)) ??
      lines.find((l) => /gyp ERR! stack Error/.test(l)) ??
      lines.find((l) => /error|ERR!/i.test(l)) ??
      `exit code ${r.status}`;
    record(false, `node-gyp failed: ${err.trim()}`, log);
  }
  if (!existsSync(addon)) record(false, "node-gyp succeeded but build/Release/sentrl_native.node is missing", log);
  record(true, "built", log);
} catch (e) {
  record(false, `unexpected: ${e instanceof Error ? e.message : String(e)}`);
}
