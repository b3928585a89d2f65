#!/usr/bin/env node
// Runs every workspace's `bench` script in turn; each prints JSON lines on stdout.
// Usage: npm run bench [-- <workspace-name-substring>]
import { spawnSync } from "node:child_process";
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const filter = process.argv[2];
const dirs = ["packages", "apps"].flatMap((d) =>
  existsSync(join(root, d)) ? readdirSync(join(root, d)).map((n) => join(root, d, n)) : [],
);
let failed = 0;
for (const dir of dirs) {
  const pj = join(dir, "package.json");
  if (!existsSync(pj)) continue;
  const pkg = JSON.parse(readFileSync(pj, "utf8"));
  if (!pkg.scripts?.bench) continue;
  if (filter && !pkg.name.includes(filter)) continue;
  process.stderr.write(`# bench ${pkg.name}\n`);
  const r = spawnSync("npm", ["run", "-s", "bench"], { cwd: dir, stdio: ["ignore", "inherit", "inherit"] });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
