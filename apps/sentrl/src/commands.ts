import type { Command } from "./command.js";

/**
 * The command table. Each entry loads its module lazily, so `sentrl loss` never pulls in model or ONNX code.
 * To add a command: create `commands/<name>.ts` exporting `help` and `run`, then add one line here. A command that
 * writes an output folder holds `acquireOutputLock(outDir, "<name>")` (io/output-lock.ts) while it writes; every
 * JSON result goes through `writeJsonLine` / `jsonLine` (io/output-guard.ts), which refuse NaN and ±Infinity.
 */
export const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  loss: { summary: "policy loss and its gradient for a batch of per-token vectors (JSON in/out)", load: () => import("./commands/loss.js") },
  advantages: { summary: "GRPO / Dr.GRPO group-normalised advantages (JSON in/out)", load: () => import("./commands/advantages.js") },
  grade: { summary: "check answers against golds with a math checker (JSONL in/out)", load: () => import("./commands/grade.js") },
  se: { summary: "semantic entropy of sampled responses per question (JSONL in/out)", load: () => import("./commands/se.js") },
  curriculum: { summary: "build a semantic-entropy curriculum (stage files + manifest)", load: () => import("./commands/curriculum.js") },
  score: { summary: "per-token log-probs and entropies of token sequences under a model", load: () => import("./commands/score.js") },
  generate: { summary: "sample completions with our own model (batched KV-cache decoding; JSONL in/out)", load: () => import("./commands/generate.js") },
  serve: { summary: "OpenAI-compatible HTTP server for a model (continuous batching, streaming, weight reload)", load: () => import("./commands/serve.js") },
  update: { summary: "one RL update (loss, backward, clip, AdamW) of a model on given rollouts; weights out", load: () => import("./commands/update.js") },
  eval: { summary: "evaluate a generator on a benchmark: pass@k, avg@k, resumable", load: () => import("./commands/eval.js") },
  train: { summary: "train a policy with GRPO/SENT from a config file (JSON/YAML) or preset; resumable", load: () => import("./commands/train.js") },
  demo: { summary: "GRPO vs SENT on a small transformer, held-out pass@k with intervals, HTML report (~10 min, offline)", load: () => import("./commands/demo.js") },
  sft: { summary: "supervised fine-tuning on JSONL prompt/response pairs (Qwen2-family model); resumable", load: () => import("./commands/sft.js") },
  benchmarks: { summary: "list the known benchmarks, their field maps and prompts", load: () => import("./commands/benchmarks.js") },
};
