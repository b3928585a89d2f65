/**
 * ONNX generation throughput: greedy tokens/s with the KV cache, batch 1, 4 prompts × 64 new tokens, through
 * `OnnxCausalLM.step` (the onnx: generator's forward), beside the same architecture in PyTorch
 * (tools/onnx/bench_torch.py, eager, same loop) timed in the same run; for the committed tiny Qwen2 and a "small" one
 * (hidden 256, 4 layers, vocab 4096; random weights). Also the full `onnx:` generator (sampling kernel, EOS and
 * text decoding included) on the tiny model. Best of 2. Prints JSON lines.
 */
import { cpus } from "node:os";
import { join } from "node:path";
import { COMMITTED_MODELS, smallModels, torchBaseline } from "../../../tools/onnx/bench-baseline.js";
import { createOnnxGenerator, OnnxCausalLM } from "../src/index.js";

const PROMPTS = 4;
const NEW = 64;
const machine = { cpu: cpus()[0]?.model, cores: cpus().length };

function argmax(z: Float32Array): number {
  let b = 0;
  for (let j = 1; j < z.length; j++) if (z[j] > z[b]) b = j;
  return b;
}

async function stepLoop(lm: OnnxCausalLM): Promise<number> {
  const prompts = Array.from({ length: PROMPTS }, (_, p) =>
    Array.from({ length: 8 }, (_, i) => (p * 31 + i * 7) % 258),
  );
  let best = Number.POSITIVE_INFINITY;
  for (let rep = 0; rep < 2; rep++) {
    const t0 = performance.now();
    for (const p of prompts) {
      let step = await lm.step(p, lm.emptyCache());
      for (let k = 1; k < NEW; k++) step = await lm.step([argmax(step.logits)], step.cache);
    }
    best = Math.min(best, (performance.now() - t0) / 1000);
  }
  return best;
}

const small = smallModels();
for (const [size, dir] of [
  ["tiny", join(COMMITTED_MODELS, "tiny-qwen2")],
  ["small", small && join(small, "small-qwen2")],
] as const) {
  if (!dir) {
    console.log(
      JSON.stringify({ bench: "onnx-generate", size, skipped: "the small model needs Python + torch to build" }),
    );
    continue;
  }
  const lm = await OnnxCausalLM.load(dir);
  const seconds = await stepLoop(lm);
  await lm.dispose();
  const onnx = {
    impl: "onnxruntime-node (CPU EP, default thread count, no spinning)",
    tokens: PROMPTS * NEW,
    seconds,
    tokensPerSec: (PROMPTS * NEW) / seconds,
  };
  console.log(JSON.stringify({ bench: "onnx-generate", size, onnx, torch: torchBaseline(["gen", size]), machine }));
}

// The whole generator (sampling kernel, log-probs, EOS stop, decoding) on the tiny model.
const gen = await createOnnxGenerator(join(COMMITTED_MODELS, "tiny-qwen2"));
const t0 = performance.now();
const out = await gen.generate(
  Array.from({ length: PROMPTS }, (_, i) => ({ id: String(i), text: `ab ${i}` })),
  { n: 4, temperature: 1, maxTokens: NEW, seed: 1 },
);
const s = (performance.now() - t0) / 1000;
const tokens = out.flat().reduce((a, c) => a + c.numTokens, 0);
await gen.close();
console.log(
  JSON.stringify({ bench: "onnx-generator", size: "tiny", tokens, seconds: s, tokensPerSec: tokens / s, machine }),
);
