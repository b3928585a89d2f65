import { describe, expect, it } from "vitest";
import { BENCH_DIR, HAVE_BENCH as HAVE, SKIP_REASON } from "../../../packages/core/test/shared-data.js";
import { runCli } from "./fake-io.js";

if (!HAVE) console.warn(SKIP_REASON);

async function cli(args: string[]) {
  const { code, stdout } = await runCli(args);
  return { code, json: JSON.parse(stdout) };
}

describe("sentrl benchmarks", () => {
  it("lists every benchmark with its field map, prompts and checkers as JSON", async () => {
    const { code, json } = await cli(["benchmarks"]);
    expect(code).toBe(0);
    expect(json.benchmarks.map((b: { name: string }) => b.name)).toEqual([
      "math500",
      "aime24",
      "aime25",
      "amc23",
      "olympiadbench",
      "minerva",
      "minerva-rllm",
      "gsm8k",
      "gsm8k-train",
      "math-train",
      "verl",
    ]);
    const math500 = json.benchmarks[0];
    expect(math500.fields).toMatchObject({ question: "problem", id: "math500/<unique_id>" });
    expect(json.prompts.opencompass).toBe(
      "{question}\nPlease reason step by step, and put your final answer within \\boxed{}.",
    );
    expect(json.checkers).toEqual(["dapo", "opencompass-v2", "symbolic"]);
  });

  it.skipIf(!HAVE)("with --data, finds every file in the shared benchmarks folder", async () => {
    const { json } = await cli(["benchmarks", "--data", BENCH_DIR]);
    expect(
      json.benchmarks
        .filter((b: { name: string; available: boolean }) => !b.available)
        .map((b: { name: string }) => b.name),
    ).toEqual(["verl"]);
  });
});
