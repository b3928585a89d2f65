// Generation (KV cache, cached attention, per-row sampling on the Backend) on the CUDA kernels through the emulator:
// the same tokens as the reference backend, log-probabilities within 1e-4, greedy and sampled, batch-independent.
import { join } from "node:path";
import { createReferenceBackend } from "@sentrl/compute";
import { loadModel, sampleSequences } from "@sentrl/model";
import { describe, expect, it } from "vitest";
import { createCudaEmulatorBackend, emulatorStatus } from "../src/index.js";

const status = emulatorStatus();
const reason = "reason" in status ? status.reason : "";
const DIR = join(import.meta.dirname, "..", "..", "model", "test", "fixtures", "qwen2-untied-gqa2-f16");

describe.skipIf(!!reason)(`generation on the CUDA emulator${reason ? ` (skipped: ${reason})` : ""}`, () => {
  it("samples the reference backend's tokens (greedy, top-k/top-p, plain), whatever the batch size", async () => {
    const emu = await loadModel(DIR, { backend: createCudaEmulatorBackend() });
    const ref = await loadModel(DIR, { backend: createReferenceBackend() });
    const requests = [[1, 2, 3], [7], [4, 4, 9, 2, 11]].flatMap((prompt) =>
      [0, 1].map((sampleIndex) => ({ prompt, sampleIndex })),
    );
    for (const options of [{ temperature: 0 }, { temperature: 0.9, topK: 5, topP: 0.9 }, { temperature: 1.2 }]) {
      const o = { maxTokens: 6, seed: 3, ...options };
      const want = sampleSequences(ref, requests, o);
      for (const batchSize of [1, 4]) {
        const got = sampleSequences(emu, requests, { ...o, batchSize });
        got.forEach((s, i) => {
          expect(s.tokenIds, JSON.stringify(o)).toEqual(want[i].tokenIds);
          s.tokenLogprobs.forEach((lp, t) => {
            expect(Math.abs(lp - want[i].tokenLogprobs[t])).toBeLessThan(1e-4);
          });
        });
      }
    }
    emu.dispose();
    ref.dispose();
  });
});
