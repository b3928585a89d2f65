/**
 * SE throughput: questions/s for 100k questions × 8 responses with `answer` clustering (dapo checker: Answer-line
 * extraction, verl normalisation, O(n) keys) and the lengthNormalized / discrete estimators, beside a Python +
 * PyTorch baseline of the same pipeline (tools/torch-ref/semantic_entropy.py bench) timed in the same run.
 * Prints JSON lines on stdout. `SE_BENCH_QUESTIONS` overrides the question count.
 */
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { mulberry32 as rng } from "@sentrl/compute/testing";
import { createSemanticEntropyScorer } from "../src/index.js";

const NQ = Number(process.env.SE_BENCH_QUESTIONS ?? 100_000);
const M = 8;

// Same shape as the Python baseline: ~360-character responses ending in an `Answer:` line, 1-4 distinct answers.
const r = rng(1);
const filler = "Let us compute step by step. ".repeat(12);
const questions = Array.from({ length: NQ }, (_, q) => {
  const responses: string[] = [];
  const logLik: number[] = [];
  const lengths: number[] = [];
  for (let j = 0; j < M; j++) {
    responses.push(`${filler}\nAnswer: ${(q % 97) + Math.floor(r() * 4)}`);
    logLik.push(-50 - 550 * r());
    lengths.push(100 + Math.floor(900 * r()));
  }
  return { responses, logLik, lengths };
});

function time(estimator: "lengthNormalized" | "discrete"): { seconds: number; checksum: number } {
  const score = createSemanticEntropyScorer({ checker: "dapo", estimator });
  // warm-up
  for (let q = 0; q < Math.min(2000, NQ); q++) score(questions[q]);
  const t0 = process.hrtime.bigint();
  let checksum = 0;
  for (let q = 0; q < NQ; q++) checksum += score(questions[q]).semanticEntropy;
  return { seconds: Number(process.hrtime.bigint() - t0) / 1e9, checksum };
}

function torchBaseline(): { questionsPerSecond: number | null; reason?: string; seconds?: number } {
  const py = process.env.SENTRL_TORCH_PYTHON ?? "/usr/bin/python3";
  const script = resolve(new URL(".", import.meta.url).pathname, "../../../tools/torch-ref/semantic_entropy.py");
  const res = spawnSync(py, [script, "bench", String(NQ), String(M)], { encoding: "utf8", maxBuffer: 1 << 24 });
  if (res.status !== 0) return { questionsPerSecond: null, reason: `${py} failed: ${(res.stderr || res.error?.message || "").trim().split("\n").pop()}` };
  try {
    const j = JSON.parse(res.stdout.trim().split("\n").pop() as string);
    return { questionsPerSecond: j.questionsPerSecond, seconds: j.seconds };
  } catch {
    return { questionsPerSecond: null, reason: "unreadable baseline output" };
  }
}

const baseline = torchBaseline();
for (const estimator of ["lengthNormalized", "discrete"] as const) {
  const t = time(estimator);
  console.log(
    JSON.stringify({
      bench: "semantic-entropy/answer-clustering",
      checker: "dapo",
      estimator,
      questions: NQ,
      responsesPerQuestion: M,
      seconds: t.seconds,
      questionsPerSecond: NQ / t.seconds,
      baseline: estimator === "lengthNormalized" ? { name: "python+torch (same pipeline, 2 threads)", ...baseline } : null,
      speedup: estimator === "lengthNormalized" && baseline.questionsPerSecond ? NQ / t.seconds / baseline.questionsPerSecond : null,
    }),
  );
}
