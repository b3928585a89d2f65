#!/usr/bin/env node
// Stages every publishable package as it will be published, then packs it. The workspace itself is never
// modified: each package's files (as `npm pack` selects them from its `files` field) are copied to
// release/stage/<folder>, and there
//   - package.json loses what only the monorepo needs: the `source` export condition (it points at TypeScript
//     sources that are not shipped), devDependencies, build scripts, nx settings;
//   - README links become absolute (they must work on the registry's page);
//   - the root LICENSE is added;
//   - @sentrl/compute-native gains a prebuilt linux-x64 addon (prebuilds/linux-x64/) when this machine built one,
//     so users without a compiler get the fast path and its install script compiles nothing.
// Tarballs land in release/tarballs. Prints one JSON line: {"packages": [{name, folder, tarball, files}]}.
//   node tools/release/stage.mjs [--only <folder>,<folder>] [--no-pack]
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, posix } from "node:path";
import { absolutizeLinks } from "./readme-links.mjs";
import { publishedManifest } from "./published-manifest.mjs";
import { REPOSITORY, ROOT, workspacePackages } from "./workspace.mjs";

const args = process.argv.slice(2);
const onlyAt = args.indexOf("--only");
const only = onlyAt >= 0 ? new Set(args[onlyAt + 1].split(",")) : null;
const pack = !args.includes("--no-pack");
const stageRoot = join(ROOT, "release", "stage");
const tarballs = join(ROOT, "release", "tarballs");
mkdirSync(tarballs, { recursive: true });

const results = [];
for (const pkg of workspacePackages().filter((p) => p.publishable)) {
  const folder = pkg.rel.split("/").pop();
  if (only && !only.has(folder)) continue;
  if (!existsSync(join(pkg.dir, "dist"))) fail(`${pkg.name} is not built (no dist/): run npm run build first`);
  const stage = join(stageRoot, folder);
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(stage, { recursive: true });
  for (const file of packedFiles(pkg.dir)) {
    if (file === "package.json") continue;
    mkdirSync(dirname(join(stage, file)), { recursive: true });
    cpSync(join(pkg.dir, file), join(stage, file));
  }
  writeFileSync(join(stage, "package.json"), `${JSON.stringify(publishedManifest(pkg.manifest), null, 2)}\n`);
  cpSync(join(ROOT, "LICENSE"), join(stage, "LICENSE"));
  if (existsSync(join(pkg.dir, "README.md"))) {
    const base = `${REPOSITORY.url}/blob/${REPOSITORY.branch}/${pkg.rel}`;
    writeFileSync(join(stage, "README.md"), absolutizeLinks(readFileSync(join(pkg.dir, "README.md"), "utf8"), base));
  }
  if (folder === "compute-native") addPrebuild(pkg.dir, stage);
  const entry = { name: pkg.name, folder, stage, tarball: null, files: packedFiles(stage) };
  if (pack) {
    const out = run("npm", ["pack", "--json", "--pack-destination", tarballs], stage);
    entry.tarball = join(tarballs, JSON.parse(out)[0].filename);
  }
  results.push(entry);
}
process.stdout.write(`${JSON.stringify({ packages: results })}\n`);

/** The files `npm pack` would put in the tarball of the package in `dir` (honours `files`, .npmignore). */
function packedFiles(dir) {
  const out = run("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], dir);
  return JSON.parse(out)[0].files.map((f) => f.path.split(posix.sep).join("/"));
}

/** Ships the addon this machine built as the linux-x64 (glibc) prebuild; N-API keeps it valid across Node versions. */
function addPrebuild(dir, stage) {
  const built = join(dir, "build", "Release", "sentrl_native.node");
  if (process.platform !== "linux" || process.arch !== "x64" || !existsSync(built)) {
    process.stderr.write(
      "stage: no native addon built on this machine; @sentrl/compute-native ships without a prebuild\n",
    );
    return;
  }
  mkdirSync(join(stage, "prebuilds", "linux-x64"), { recursive: true });
  cpSync(built, join(stage, "prebuilds", "linux-x64", "sentrl_native.node"));
}

function run(cmd, argv, cwd) {
  const r = spawnSync(cmd, argv, { cwd, encoding: "utf8", env: { ...process.env, npm_config_loglevel: "error" } });
  if (r.status !== 0) fail(`${cmd} ${argv.join(" ")} in ${cwd} failed:\n${r.stderr}`);
  return r.stdout;
}

function fail(message) {
  process.stderr.write(`stage: ${message}\n`);
  process.exit(1);
}
