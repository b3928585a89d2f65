import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "./fake-io.js";

// `sentrl se --clustering nli|embedding` on the tiny ONNX models built by tools/onnx/tiny_bert.py; the expected
// clusters are computed there from the PyTorch model's own verdicts / similarities (docs/algorithms.md §8.1).
const root = join(import.meta.dirname, "..", "..", "..");
const models = join(root, "tools", "onnx", "models");
const nli = JSON.parse(readFileSync(join(models, "fixtures", "nli.json"), "utf8")) as {
  questions: {
    id: string;
    question: string;
    responses: string[];
    nli: Record<"plain" | "withQuestion", { strict: number[]; lenient: number[] }>;
  }[];
};
const embed = JSON.parse(readFileSync(join(models, "fixtures", "embed.json"), "utf8")) as {
  thresholds: number[];
  questions: { id: string; responses: string[]; clusters: Record<string, number[]> }[];
};

function parse(stdout: string): { id: string; semanticEntropy: number; clusterIds: number[] }[] {
  return stdout
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
}

describe("sentrl se with model clustering", () => {
  const stdin = nli.questions
    .map((q) => JSON.stringify({ id: q.id, responses: q.responses, question: q.question }))
    .join("\n");

  it.each([
    ["strict", false],
    ["lenient", false],
    ["strict", true],
    ["lenient", true],
  ] as const)(
    "--clustering nli --nli-variant %s (question prefix: %s) gives PyTorch's clusters on 22 questions",
    async (variant, withQuestion) => {
      const args = [
        "se",
        "--clustering",
        "nli",
        "--nli-model",
        join(models, "tiny-nli"),
        "--nli-variant",
        variant,
        "--estimator",
        "discrete",
      ];
      if (withQuestion) args.push("--nli-question");
      const r = await runCli(args, stdin);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      const out = parse(r.stdout);
      expect(out).toHaveLength(nli.questions.length);
      nli.questions.forEach((q, i) => {
        const want = q.nli[withQuestion ? "withQuestion" : "plain"][variant];
        expect(out[i].id).toBe(q.id);
        expect(out[i].clusterIds).toEqual(want);
        // discrete SE of those clusters
        const counts = new Map<number, number>();
        for (const c of want) counts.set(c, (counts.get(c) ?? 0) + 1);
        const h = -[...counts.values()].reduce((a, n) => a + (n / want.length) * Math.log(n / want.length), 0);
        expect(out[i].semanticEntropy).toBeCloseTo(h, 12);
      });
    },
  );

  it("--clustering embedding at each threshold and linkage gives PyTorch's clusters", async () => {
    const input = embed.questions.map((q) => JSON.stringify({ id: q.id, responses: q.responses })).join("\n");
    for (const t of embed.thresholds)
      for (const linkage of ["single", "complete"]) {
        const r = await runCli(
          [
            "se",
            "--clustering",
            "embedding",
            "--embedding-model",
            join(models, "tiny-embed"),
            "--threshold",
            String(t),
            "--linkage",
            linkage,
            "--estimator",
            "discrete",
          ],
          input,
        );
        expect(r.stderr).toBe("");
        expect(parse(r.stdout).map((o) => o.clusterIds)).toEqual(
          embed.questions.map((q) => q.clusters[`${linkage}@${t}`]),
        );
      }
  });

  it.each([
    [["--clustering", "nli"], /--nli-model/],
    [["--clustering", "embedding"], /--embedding-model/],
    [["--clustering", "nli", "--nli-model", "x", "--nli-variant", "loose"], /--nli-variant/],
    [["--clustering", "embedding", "--embedding-model", "x", "--linkage", "average"], /--linkage/],
    [["--clustering", "embedding", "--embedding-model", "x", "--threshold", "high"], /--threshold/],
    [["--nli-model", "x"], /--nli-model needs --clustering nli or embedding/],
    [
      ["--clustering", "nli", "--nli-model", "x", "--checker", "symbolic"],
      /--checker does not apply to --clustering nli/,
    ],
    [["--clustering", "nli", "--nli-model", "x", "--threshold", "0.5"], /--threshold does not apply/],
    [["--clustering", "embedding", "--embedding-model", "x", "--nli-question"], /--nli-question does not apply/],
  ])("usage errors exit 2: %j", async (args, msg) => {
    const r = await runCli(["se", ...args], "");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(msg);
  });

  it("--nli-question without a question on a line is a coded error naming the line", async () => {
    const r = await runCli(
      [
        "se",
        "--clustering",
        "nli",
        "--nli-model",
        join(models, "tiny-nli"),
        "--nli-question",
        "--estimator",
        "discrete",
      ],
      '{"id":"a","responses":["x","y"]}',
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^sentrl: SE_QUESTION_REQUIRED: stdin line 1/);
  });
});

describe("an install without the optional ONNX packages (docs/contracts.md §1)", () => {
  // The CLI runs from source in a subprocess whose module resolution refuses @huggingface/transformers and
  // onnxruntime-node: commands that never use them must work (so they never import them), and asking for them
  // gives a coded error naming the package to install.
  const run = (args: string[], stdin: string, env: Record<string, string> = {}) =>
    spawnSync(
      process.execPath,
      [
        "--conditions=source",
        "--import",
        "tsx",
        "--import",
        join(import.meta.dirname, "without-onnx.mjs"),
        join(import.meta.dirname, "cli-from-source.mjs"),
        ...args,
      ],
      { input: stdin, encoding: "utf8", cwd: root, env: { ...process.env, ...env } },
    );

  it("sentrl se (answer clustering) and sentrl loss work, without even loading @sentrl/onnx", () => {
    const block = { SENTRL_BLOCK_ONNX_PACKAGE: "1" };
    const se = run(["se", "--estimator", "discrete"], '{"id":"a","responses":["Answer: 4","Answer: 5"]}\n', block);
    expect(se.stderr).toBe("");
    expect(JSON.parse(se.stdout)).toEqual({ id: "a", semanticEntropy: Math.LN2, clusterIds: [0, 1] });
    const loss = run(
      ["loss", "--name", "grpo"],
      JSON.stringify({ logp: [[-1, -2]], oldLogp: [[-1, -2]], advantages: [[1, 1]], mask: [[1, 1]] }),
      block,
    );
    expect(loss.stderr).toBe("");
    expect(loss.status).toBe(0);
  });

  it.each([
    [["se", "--clustering", "nli", "--nli-model", "tools/onnx/models/tiny-nli"]],
    [["se", "--clustering", "embedding", "--embedding-model", "tools/onnx/models/tiny-embed"]],
  ])("%j → ONNX_DEPENDENCY_MISSING naming the package, exit 1", (args) => {
    const r = run(args, '{"id":"a","responses":["x"]}\n');
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(
      /^sentrl: ONNX_DEPENDENCY_MISSING: @huggingface\/transformers is not installed; .*npm install @huggingface\/transformers@4\.3\.2 onnxruntime-node@1\.30\.0/,
    );
  });
});
