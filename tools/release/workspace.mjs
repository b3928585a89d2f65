// The workspace's packages as the release tools see them: every package.json under the root's `workspaces`
// globs, with `publishable` false for private ones (examples, the monorepo root).
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** Where the project lives on the web; package metadata and absolute README links derive from it. */
export const REPOSITORY = {
  url: "https://github.com/sentrl/sentrl",
  issues: "https://github.com/sentrl/sentrl/issues",
  branch: "main",
};

/** @returns {{ name: string, dir: string, rel: string, manifest: any, publishable: boolean }[]} */
export function workspacePackages() {
  const root = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
  const out = [];
  for (const glob of root.workspaces) {
    if (!glob.endsWith("/*")) throw new Error(`workspace glob ${glob}: only "<folder>/*" globs are supported`);
    const parent = glob.slice(0, -2);
    for (const entry of readdirSync(join(ROOT, parent)).sort()) {
      const file = join(ROOT, parent, entry, "package.json");
      if (!existsSync(file)) continue;
      const manifest = JSON.parse(readFileSync(file, "utf8"));
      out.push({
        name: manifest.name,
        dir: join(ROOT, parent, entry),
        rel: `${parent}/${entry}`,
        manifest,
        publishable: manifest.private !== true,
      });
    }
  }
  return out;
}
