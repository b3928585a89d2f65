import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createReferenceBackend } from "@sentrl/compute";
import { afterAll, describe, expect, it } from "vitest";
import { type DecoderModel, loadCheckpoint, loadModel, saveCheckpoint, writeSafetensors } from "../src/index.js";
import { cleanupTemp, codeOf, tempDir } from "./helpers.js";

afterAll(cleanupTemp);

const SRC = join(import.meta.dirname, "fixtures-backward", "qwen2-tied-gqa2");
const rows = [
  [1, 4, 9, 16, 25],
  [2, 3],
  [40, 41, 42],
];

function trainStep(m: DecoderModel): void {
  m.zeroGrad();
  const h = m.forward(rows, { temperature: 0.9 });
  m.backward(h, { dLogp: h.logp.map((r) => r.map(() => -1)), dEntropy: h.entropy.map((r) => r.map(() => 0.1)) });
  m.step({ lr: 1e-2, weightDecay: 0.1, maxGradNorm: 1, noDecay: (n) => n.endsWith("norm.weight") || n.endsWith(".bias") });
}

describe("training checkpoints (HF layout + optimiser state)", () => {
  it("save after one step, load, step again = two steps without saving (bit-exact in F32)", async () => {
    const backend = createReferenceBackend();
    const a = await loadModel(SRC, { backend });
    trainStep(a);
    const dir = tempDir("ckpt");
    await saveCheckpoint(a, dir);
    expect(readdirSync(dir).sort()).toEqual(["config.json", "model.safetensors", "optimizer.safetensors"]);
    trainStep(a);
    const b = await loadCheckpoint(dir, { backend });
    expect(b.optimizerStep).toBe(1);
    trainStep(b);
    expect(b.optimizerStep).toBe(2);
    for (const n of a.parameterNames()) expect(Array.from(b.getParameter(n)), n).toEqual(Array.from(a.getParameter(n)));
    // The saved folder is also a plain HF model.
    const plain = await loadModel(dir, { backend });
    expect(plain.optimizerStep).toBe(0);
  });

  it("a corrupt optimiser state is a coded error", async () => {
    const a = await loadModel(SRC);
    const dir = tempDir("ckpt-bad");
    await saveCheckpoint(a, dir);
    writeSafetensors(join(dir, "optimizer.safetensors"), { x: { data: new Float32Array(1), shape: [1] } }, { format: "sentrl-adamw", step: "3" });
    expect(await codeOf(() => loadCheckpoint(dir))).toBe("MODEL_OPTIMIZER_STATE_INVALID");
    writeFileSync(join(dir, "optimizer.safetensors"), "garbage!");
    expect(await codeOf(() => loadCheckpoint(dir))).toBe("SAFETENSORS_HEADER_TOO_LARGE");
  });
});
