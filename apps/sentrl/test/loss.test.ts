import { readFileSync } from "node:fs";
import { join } from "node:path";
import { COMMON_LOSS_DEFAULTS, evaluatePolicyLoss, grpoLoss, tokenBatchFromJson } from "@sentrl/core";
import { describe, expect, it } from "vitest";
import { type CliErrorCase, itFailsWithCodes, runCli } from "./fake-io.js";

const root = join(__dirname, "..", "..", "..");
const fixtures = JSON.parse(
  readFileSync(join(root, "packages", "core", "test", "fixtures", "core-losses.json"), "utf8"),
) as {
  cases: {
    name: string;
    config: Record<string, unknown>;
    input: Record<string, number[][]>;
    expected: { loss: number; gradLogp: number[][]; gradEntropy?: number[][]; metrics: Record<string, number> };
  }[];
};

const input = {
  mask: [
    [1, 1, 0],
    [1, 0, 0],
  ],
  logp: [
    [-1, -2, 5],
    [-0.3, 9, 9],
  ],
  oldLogp: [
    [-1.1, -1.9, 0],
    [-0.3, 0, 0],
  ],
  refLogp: [
    [-1.2, -2.5, 0],
    [-0.1, 0, 0],
  ],
  entropy: [
    [0.5, 1.5, 7],
    [0.2, 7, 7],
  ],
  advantages: [
    [0.8, 0.8, 3],
    [-1, 3, 3],
  ],
};

function close(a: number, e: number): boolean {
  return Math.abs(a - e) <= 1e-6 * Math.abs(e) + 1e-12;
}

describe("sentrl loss (docs/contracts.md §2)", () => {
  it("evaluates grpo: one JSON line on stdout with loss, gradLogp (0 on padding) and verl metrics", async () => {
    const r = await runCli(["loss", "--name", "grpo"], JSON.stringify(input));
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout.endsWith("\n")).toBe(true);
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out)).toEqual(["loss", "gradLogp", "metrics"]);
    const ref = evaluatePolicyLoss(grpoLoss.create({}), tokenBatchFromJson(input));
    expect(out.loss).toBe(ref.loss);
    expect(out.gradLogp).toEqual([Array.from(ref.gradLogp.subarray(0, 3)), Array.from(ref.gradLogp.subarray(3, 6))]);
    expect(out.gradLogp[0][2]).toBe(0);
    expect(out.gradLogp[1].slice(1)).toEqual([0, 0]);
    for (const k of ["pg_loss", "pg_clipfrac", "ppo_kl", "pg_clipfrac_lower", "entropy"])
      expect(typeof out.metrics[k]).toBe("number");
  });

  it("reproduces the PyTorch reference through the CLI (kl, entropy bonus, seq-mean-token-mean, asymmetric clip)", async () => {
    const c = fixtures.cases.find((x) => x.name === "everything at once")!;
    const r = await runCli(["loss", "--name", "grpo", "--config", JSON.stringify(c.config)], JSON.stringify(c.input));
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(close(out.loss, c.expected.loss)).toBe(true);
    c.expected.gradLogp.flat().forEach((g, i) => {
      expect(close(out.gradLogp.flat()[i], g), `gradLogp ${i}`).toBe(true);
    });
    c.expected.gradEntropy!.flat().forEach((g, i) => {
      expect(close(out.gradEntropy.flat()[i], g), `gradEntropy ${i}`).toBe(true);
    });
    expect(close(out.metrics.kl_loss, c.expected.metrics.kl_loss)).toBe(true);
  });

  it("gradEntropy appears only when entropyCoeff != 0", async () => {
    const r = await runCli(["loss", "--name", "grpo", "--config", '{"entropyCoeff":0.01}'], JSON.stringify(input));
    const out = JSON.parse(r.stdout);
    expect(out.gradEntropy).toEqual([
      [-0.01 / (3 + 1e-8), -0.01 / (3 + 1e-8), 0],
      [-0.01 / (3 + 1e-8), 0, 0],
    ]);
  });

  it("no valid token at all: loss 0 and zero gradients", async () => {
    const r = await runCli(
      ["loss", "--name", "grpo"],
      JSON.stringify({
        ...input,
        mask: [
          [0, 0, 0],
          [0, 0, 0],
        ],
      }),
    );
    const out = JSON.parse(r.stdout);
    expect(out.loss).toBe(0);
    expect(out.gradLogp).toEqual([
      [0, 0, 0],
      [0, 0, 0],
    ]);
  });

  it("--help lists every loss with its options and defaults", async () => {
    const r = await runCli(["loss", "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("--name <loss>");
    expect(r.stdout).toMatch(
      /grpo: .*\n\s+clipRatio \(0\.2\)\n\s+clipRatioLow \(derived\)\n\s+clipRatioHigh \(derived\)\n\s+clipRatioC \(3\)/,
    );
    for (const [k, v] of Object.entries(COMMON_LOSS_DEFAULTS)) {
      expect(r.stdout).toContain(v === undefined ? `${k} (number of columns)` : `${k} (${JSON.stringify(v)})`);
    }
  });

  const grpo = ["loss", "--name", "grpo"];
  const errors: CliErrorCase[] = [
    ["missing --name", ["loss"], JSON.stringify(input), "USAGE"],
    ["unknown flag", [...grpo, "--frob"], JSON.stringify(input), "USAGE"],
    ["--config not JSON", [...grpo, "--config", "{x"], JSON.stringify(input), "USAGE"],
    ["unknown loss", ["loss", "--name", "ppo"], JSON.stringify(input), "STRATEGY_UNKNOWN"],
    ["unknown option", [...grpo, "--config", '{"clip_ratio":0.2}'], JSON.stringify(input), "LOSS_UNKNOWN_OPTION"],
    ["bad option type", [...grpo, "--config", '{"useKlLoss":1}'], JSON.stringify(input), "LOSS_BAD_OPTION"],
    ["bad option range", [...grpo, "--config", '{"clipRatioC":0.5}'], JSON.stringify(input), "LOSS_BAD_OPTION"],
    ["bad klLossType", [...grpo, "--config", '{"klLossType":"full"}'], JSON.stringify(input), "LOSS_BAD_OPTION"],
    ["empty stdin", grpo, "", "LOSS_BAD_INPUT"],
    ["stdin not JSON", grpo, "{mask", "LOSS_BAD_INPUT"],
    ["stdin an array", grpo, "[]", "LOSS_BAD_INPUT"],
    ["missing key", grpo, JSON.stringify({ ...input, oldLogp: undefined }), "LOSS_BAD_INPUT"],
    ["unknown input key", grpo, JSON.stringify({ ...input, ref_logp: input.refLogp }), "LOSS_BAD_INPUT"],
    [
      "a string value",
      grpo,
      JSON.stringify({
        ...input,
        logp: [
          [-1, "x", 0],
          [0, 0, 0],
        ],
      }),
      "LOSS_BAD_INPUT",
    ],
    ["NaN literal", grpo, JSON.stringify(input).replace("-0.3,9,9", "-0.3,NaN,9"), "LOSS_NON_FINITE"],
    ["overflow to Infinity", grpo, JSON.stringify(input).replace("-0.3,9,9", "-0.3,1e999,9"), "LOSS_NON_FINITE"],
    ["unequal rows", grpo, JSON.stringify({ ...input, logp: [[-1, -2, 5]] }), "LOSS_SHAPE_MISMATCH"],
    [
      "ragged row",
      grpo,
      JSON.stringify({
        ...input,
        advantages: [
          [1, 1],
          [1, 1, 1],
        ],
      }),
      "LOSS_SHAPE_MISMATCH",
    ],
    [
      "ragged mask",
      grpo,
      JSON.stringify({
        ...input,
        mask: [
          [1, 1, 0],
          [1, 0],
        ],
      }),
      "LOSS_SHAPE_MISMATCH",
    ],
    [
      "mask not 0/1",
      grpo,
      JSON.stringify({
        ...input,
        mask: [
          [1, 2, 0],
          [1, 0, 0],
        ],
      }),
      "LOSS_BAD_MASK",
    ],
    [
      "useKlLoss without refLogp",
      [...grpo, "--config", '{"useKlLoss":true}'],
      JSON.stringify({ ...input, refLogp: undefined }),
      "LOSS_MISSING_REF_LOGP",
    ],
    [
      "entropyCoeff without entropy",
      [...grpo, "--config", '{"entropyCoeff":0.1}'],
      JSON.stringify({ ...input, entropy: undefined }),
      "LOSS_MISSING_ENTROPY",
    ],
  ];
  itFailsWithCodes(errors);

  it("the unknown-option error lists every valid key", async () => {
    const r = await runCli(["loss", "--name", "grpo", "--config", '{"foo":1}'], JSON.stringify(input));
    // the keys core declares (pinned by name in packages/core/test/losses-api.test.ts)
    for (const k of [...Object.keys(COMMON_LOSS_DEFAULTS), ...Object.keys(grpoLoss.defaults)]) {
      expect(r.stderr).toContain(k);
    }
  });

  it("imports no model or ONNX code (only @sentrl/core and the two loss plugins)", () => {
    const importsOf = (file: string) => {
      const text = readFileSync(join(__dirname, "..", "src", file), "utf8");
      return [...text.matchAll(/(?:from\s+|import\()\s*["']([^"']+)["']/g)].map((m) => m[1]).sort();
    };
    const src = readFileSync(join(__dirname, "..", "src", "commands", "loss.ts"), "utf8");
    expect(importsOf("commands/loss.ts")).toEqual([
      "../command.js",
      "../io/output-guard.js",
      "../stdin-json.js",
      "../usage-error.js",
      "@sentrl/core",
    ]);
    // the helpers it uses import nothing heavier than node built-ins and core
    for (const helper of ["stdin-json.ts", "command.ts", "usage-error.ts", "io/output-guard.ts", "io/json-depth.ts"])
      for (const spec of importsOf(helper))
        expect(spec, helper).toMatch(
          /^(node:|@sentrl\/core$|\.\.?\/command\.js$|\.\/io\/json-depth\.js$|\.\.?\/usage-error\.js$)/,
        );
    expect(src).toContain('"@sentrl/token-entropy-kl", "@sentrl/entropy-baselines"');
    for (const pkg of ["core", "token-entropy-kl", "entropy-baselines"]) {
      const pj = JSON.parse(readFileSync(join(root, "packages", pkg, "package.json"), "utf8"));
      const deps = Object.keys({ ...pj.dependencies, ...pj.peerDependencies });
      expect(
        deps.filter((d) => /model|compute|onnx|transformers/.test(d)),
        pkg,
      ).toEqual([]);
    }
  });
});
