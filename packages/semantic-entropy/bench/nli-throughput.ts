/**
 * NLI throughput: pairs/s of `loadNliModel(...).classify` (ONNX through @huggingface/transformers on
 * onnxruntime-node, CPU) over every ordered pair of the 22 fixture questions (660 pairs, batches of 32), beside the
 * same architecture in PyTorch (tools/onnx/bench_torch.py) timed in the same run, for the committed tiny model and a
 * "small" one (hidden 256, 4 layers; random weights, built by the Python script). Best of 3. Prints JSON lines.
 */
import { readFileSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { COMMITTED_MODELS, smallModels, torchBaseline } from "../../../tools/onnx/bench-baseline.js";
import { loadNliModel } from "../src/index.js";

const fixture = JSON.parse(readFileSync(join(COMMITTED_MODELS, "fixtures", "nli.json"), "utf8")) as {
  questions: { responses: string[] }[];
};
const pairs: [string, string][] = fixture.questions.flatMap((q) =>
  q.responses.flatMap((a, i) => q.responses.filter((_, j) => j !== i).map((b) => [a, b] as [string, string])),
);

const machine = { cpu: cpus()[0]?.model, cores: cpus().length };
const small = smallModels();
for (const [size, dir] of [
  ["tiny", join(COMMITTED_MODELS, "tiny-nli")],
  ["small", small && join(small, "small-nli")],
] as const) {
  if (!dir) {
    console.log(JSON.stringify({ bench: "nli-pairs", size, skipped: "the small model needs Python + torch to build" }));
    continue;
  }
  const nli = await loadNliModel(dir, { batchSize: 32 });
  await nli.classify(pairs.slice(0, 32)); // warm-up
  let best = Number.POSITIVE_INFINITY;
  for (let rep = 0; rep < 3; rep++) {
    const t0 = performance.now();
    await nli.classify(pairs);
    best = Math.min(best, (performance.now() - t0) / 1000);
  }
  await nli.dispose();
  const onnx = {
    impl: "onnxruntime-node (CPU EP, default thread count, no spinning)",
    pairs: pairs.length,
    seconds: best,
    pairsPerSec: pairs.length / best,
  };
  const torch = torchBaseline(["nli", size]);
  console.log(JSON.stringify({ bench: "nli-pairs", size, onnx, torch, machine }));
}
