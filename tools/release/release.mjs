#!/usr/bin/env node
// `npm run release`: the release, as a dry run unless --publish is given.
//   1. build every package (nx, cached), 2. lint (biome, publint, attw; see lint-packages.mjs),
//   3. stage + pack each package as published (stage.mjs), 4. list the tarballs and the pending changesets.
// With --publish (maintainers, after `npx changeset version` has bumped versions and written the CHANGELOGs),
// each staged package is published with `npm publish <tarball>`; the workspace folders are never published
// directly (their package.json carries the monorepo-only `source` export condition).
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { ROOT } from "./workspace.mjs";

const publish = process.argv.includes("--publish");
const env = { ...process.env, NX_NO_CLOUD: "true", NX_DAEMON: "false" };

step("build", "npm", ["run", "build"]);
step("lint", "npm", ["run", "lint"]);
const staged = spawnSync(process.execPath, [join(ROOT, "tools", "release", "stage.mjs")], {
  cwd: ROOT,
  encoding: "utf8",
  stdio: ["ignore", "pipe", "inherit"],
});
if (staged.status !== 0) process.exit(staged.status ?? 1);
const { packages } = JSON.parse(staged.stdout);
for (const p of packages) process.stderr.write(`release: ${p.name}: ${p.tarball} (${p.files.length} files)\n`);
step("changeset status", "npx", ["changeset", "status"], true);
if (!publish) {
  process.stderr.write(
    "release: dry run done; nothing published (npm run release -- --publish publishes the tarballs)\n",
  );
  process.exit(0);
}
for (const p of packages) step(`publish ${p.name}`, "npm", ["publish", p.tarball, "--access", "public"]);

function step(name, cmd, args, tolerant = false) {
  process.stderr.write(`release: ${name}\n`);
  const r = spawnSync(cmd, args, { cwd: ROOT, stdio: "inherit", env });
  if (r.status !== 0 && !tolerant) {
    process.stderr.write(`release: ${name} failed (exit ${r.status})\n`);
    process.exit(r.status ?? 1);
  }
}
