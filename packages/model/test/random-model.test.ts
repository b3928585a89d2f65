import { createReferenceBackend } from "@sentrl/compute";
import { expect, it } from "vitest";
import { DecoderModel, lcgStream, randomQwen2 } from "../src/index.js";

const shape = { hidden: 16, layers: 1, heads: 2, kvHeads: 1, intermediate: 32, vocab: 40 };

it("randomQwen2: the doc example builds a model; same seed, same weights; norms 1, matrices within 1/√fan-in", () => {
  const { config, tensors } = randomQwen2(shape);
  const model = DecoderModel.fromTensors(config, tensors, createReferenceBackend());
  expect(model.score([[1, 2, 3]]).logp[0]).toHaveLength(2);
  model.dispose();
  const again = randomQwen2(shape).tensors;
  for (const [name, t] of tensors) expect(again.get(name), name).toEqual(t);
  expect([...(tensors.get("model.norm.weight") ?? [])].every((x) => x === 1)).toBe(true);
  const embed = tensors.get("model.embed_tokens.weight") as Float32Array;
  expect(Math.max(...embed.map(Math.abs))).toBeLessThanOrEqual(1 / Math.sqrt(16));
  // The first weight drawn is the stream's first number times 2/√fan-in.
  expect(embed[0]).toBeCloseTo(lcgStream(1)() * (2 / Math.sqrt(16)), 6);
  expect(randomQwen2(shape, lcgStream(2)).tensors.get("model.embed_tokens.weight")).not.toEqual(embed);
});
