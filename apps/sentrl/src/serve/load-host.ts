import { existsSync } from "node:fs";
import { join } from "node:path";
import { eosFromConfigs } from "../commands/generate.js";
import { ModelHost } from "./model-host.js";

/**
 * Loads `dir` for serving: the model on the chosen backend, the tokenizer when `tokenizer.json` is there (EOS ids as
 * `sentrl generate` takes them), and one generation engine of `maxBatch` slots.
 */
export async function createModelHost(dir: string, options: { maxBatch: number; backend: string }): Promise<ModelHost> {
  const [model, { selectBackend }] = await Promise.all([import("@sentrl/model"), import("@sentrl/compute")]);
  const tok = existsSync(join(dir, "tokenizer.json")) ? model.loadTokenizer(dir) : undefined;
  const eos = tok ? tok.eosTokenIds : eosFromConfigs(dir);
  const m = await model.loadModel(dir, { backend: await selectBackend(options.backend) });
  const engine = model.createGenerationEngine(m, { maxBatch: options.maxBatch, tokenizer: tok?.tokenizer });
  return new ModelHost(m, engine, tok, eos, { readModelConfig: model.readModelConfig, readCheckpoint: model.readCheckpoint });
}
