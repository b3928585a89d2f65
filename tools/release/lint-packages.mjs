#!/usr/bin/env node
// `npm run lint`'s package checks: stages and packs every publishable package exactly as it would be published
// (tools/release/stage.mjs; needs `npm run build` first), then runs the ecosystem's two standard checks on what
// would reach users: publint (package.json against the files) and Are The Types Wrong (types for ESM and CJS
// consumers under node16/bundler resolution; the node10 resolver predates `exports` and cannot see subpaths such as
// `@sentrl/compute/testing`, so we do not support it). Any finding fails the lint.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { publint } from "publint";
import { formatMessage } from "publint/utils";
import { ROOT } from "./workspace.mjs";

const staged = spawnSync(process.execPath, [join(ROOT, "tools", "release", "stage.mjs")], {
  encoding: "utf8",
  stdio: ["ignore", "pipe", "inherit"],
});
if (staged.status !== 0) process.exit(staged.status ?? 1);
const { packages } = JSON.parse(staged.stdout);

let failures = 0;
for (const pkg of packages) {
  const { messages, pkg: manifest } = await publint({
    pkgDir: pkg.stage,
    level: "suggestion",
    strict: true,
    pack: false,
  });
  for (const m of messages) {
    failures++;
    process.stderr.write(`publint ${pkg.name}: ${m.type}: ${formatMessage(m, manifest) ?? m.code}\n`);
  }
  const attw = spawnSync(
    join(ROOT, "node_modules", ".bin", "attw"),
    [pkg.tarball, "--profile", "node16", "--format", "ascii", "--no-emoji", "--no-color"],
    {
      encoding: "utf8",
    },
  );
  if (attw.status !== 0) {
    failures++;
    process.stderr.write(`attw ${pkg.name}:\n${attw.stdout}${attw.stderr}\n`);
  }
}
process.stdout.write(
  `package lint: ${packages.length} packages, ${failures === 0 ? "publint and attw clean" : `${failures} finding(s)`}\n`,
);
process.exit(failures === 0 ? 0 : 1);
