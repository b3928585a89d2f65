#!/usr/bin/env node
// Bundles tools/gpu-check/main.ts with the workspace packages it uses into tools/gpu-check/dist/ (git-ignored), a
// folder small enough to carry to a GPU machine (no node_modules there): dist/main.mjs, plus dist/node_modules with
// koffi (and its linux-x64 binary) and @sentrl/compute-native (its built addon), the two things loaded at run time.
import { cpSync, existsSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");
const dist = join(here, "dist");
rmSync(dist, { recursive: true, force: true });
await build({
  entryPoints: [join(here, "main.ts")],
  outfile: join(dist, "main.mjs"),
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  conditions: ["source"],
  external: ["koffi", "@sentrl/compute-native", "onnxruntime-node", "@huggingface/transformers"],
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  logLevel: "warning",
});
const nm = join(dist, "node_modules");
const copy = (from, to) => {
  if (!existsSync(from)) return process.stderr.write(`gpu-check bundle: ${from} missing (skipped)\n`);
  mkdirSync(dirname(to), { recursive: true });
  cpSync(from, to, { recursive: true, dereference: true });
};
copy(join(root, "node_modules", "koffi"), join(nm, "koffi"));
copy(join(root, "node_modules", "@koromix", "koffi-linux-x64"), join(nm, "@koromix", "koffi-linux-x64"));
const native = join(root, "packages", "compute-native");
copy(join(native, "package.json"), join(nm, "@sentrl", "compute-native", "package.json"));
copy(join(native, "dist"), join(nm, "@sentrl", "compute-native", "dist"));
copy(
  join(native, "build", "Release", "sentrl_native.node"),
  join(nm, "@sentrl", "compute-native", "build", "Release", "sentrl_native.node"),
);
process.stderr.write(`gpu-check bundle: ${dist}\n`);
