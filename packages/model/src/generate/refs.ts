import type { DeviceBuffer } from "@sentrl/compute";
import type { DecoderModel } from "../decoder.js";
import { type ModelRefs, resolveRefs } from "../graph.js";

const cache = new WeakMap<DecoderModel, ModelRefs>();

/**
 * The model's parameter buffers by layer, for kernels called outside `DecoderModel` (the KV-cache decoder).
 * Uses the model's internal name→buffer lookup; parameters are updated in place by `step`/`setParameter`, so the
 * handles stay valid for the model's lifetime.
 */
export function modelRefs(model: DecoderModel): ModelRefs {
  let refs = cache.get(model);
  if (!refs) {
    // Reaches the private name→buffer lookup on purpose: DecoderModel has no public accessor for its buffers.
    const lookup = (name: string): DeviceBuffer => model["buffer"](name);
    refs = resolveRefs(model.config, lookup);
    cache.set(model, refs);
  }
  return refs;
}
