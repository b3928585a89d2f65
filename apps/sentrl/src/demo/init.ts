/** Random initialisation of a Qwen2-family model (GPT-2 style: N(0, 0.02), residual projections scaled down). */
import type { Backend } from "@sentrl/compute";
import { Rng } from "@sentrl/core";
import { DecoderModel, type ModelConfig, parameterSpecs } from "@sentrl/model";

/** A model of `config` with seeded weights: norms 1, biases 0, matrices N(0, 0.02) (o/down projections / √(2L)). */
export function initDecoderModel(config: ModelConfig, seed: number, backend: Backend): DecoderModel {
  const rng = new Rng(seed);
  const residual = 0.02 / Math.sqrt(2 * config.numLayers);
  const tensors: Record<string, Float32Array> = {};
  for (const p of parameterSpecs(config)) {
    const n = p.shape.reduce((a, b) => a * b, 1);
    const t = new Float32Array(n);
    if (p.name.endsWith("norm.weight")) t.fill(1);
    else if (!p.name.endsWith(".bias")) {
      const std = p.name.endsWith("o_proj.weight") || p.name.endsWith("down_proj.weight") ? residual : 0.02;
      for (let i = 0; i < n; i++) t[i] = rng.normal(0, std);
    }
    tensors[p.name] = t;
  }
  return DecoderModel.fromTensors(config, tensors, backend);
}
