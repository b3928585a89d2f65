#!/usr/bin/env node
// Writes the metadata every published package must carry (license, engines, repository with directory, homepage,
// bugs, keywords, files) into each publishable workspace package.json. Idempotent: run it after adding a package;
// `tools/release/package-meta.test.ts` fails while any package lacks it.
//   node tools/release/package-meta.mjs          write
//   node tools/release/package-meta.mjs --check  exit 1 listing what is missing
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { expectedMetadata } from "./metadata.mjs";
import { workspacePackages } from "./workspace.mjs";

const check = process.argv.includes("--check");
const problems = [];
for (const pkg of workspacePackages().filter((p) => p.publishable)) {
  const want = expectedMetadata(pkg);
  const next = { ...pkg.manifest };
  for (const [key, value] of Object.entries(want)) {
    if (JSON.stringify(next[key]) !== JSON.stringify(value)) {
      problems.push(`${pkg.name}: ${key}`);
      next[key] = value;
    }
  }
  if (!check) writeFileSync(join(pkg.dir, "package.json"), `${JSON.stringify(order(next), null, 2)}\n`);
}
if (check && problems.length > 0) {
  process.stderr.write(
    `package metadata missing or stale (run node tools/release/package-meta.mjs):\n  ${problems.join("\n  ")}\n`,
  );
  process.exit(1);
}

/** Keeps the conventional key order so diffs stay readable. */
function order(manifest) {
  const first = [
    "name",
    "version",
    "description",
    "keywords",
    "license",
    "author",
    "homepage",
    "bugs",
    "repository",
    "engines",
    "type",
    "bin",
    "main",
    "module",
    "types",
    "exports",
    "files",
    "sideEffects",
    "gypfile",
    "scripts",
  ];
  const out = {};
  for (const k of first) if (k in manifest) out[k] = manifest[k];
  for (const k of Object.keys(manifest)) if (!(k in out)) out[k] = manifest[k];
  return out;
}
