import { readFileSync } from "node:fs";
import { join } from "node:path";
import { SentrlError } from "@sentrl/core";
import type { NliClassify } from "./cache.js";
import { type NliLabel, nliLabelsFromConfig } from "./labels.js";

/** A local NLI classifier: any Hugging Face sequence-classification model exported to ONNX. */
export interface NliModel {
  /** Verdict per (premise, hypothesis) pair, batched. */
  classify: NliClassify;
  /** Label of each output class (from `config.json` `id2label`). */
  readonly labels: readonly NliLabel[];
  dispose(): Promise<void>;
}

export interface NliModelOptions {
  /** Pairs per forward pass (default 32); results do not depend on it beyond float rounding. */
  batchSize?: number;
}

/**
 * Loads an NLI model folder (`config.json` with `id2label`, tokenizer files, `onnx/model.onnx`) through
 * `@huggingface/transformers` on onnxruntime-node, local files only. Each pair is tokenised as the model's
 * tokenizer does for a text pair (premise first, hypothesis second; e.g. `[CLS] premise [SEP] hypothesis [SEP]`),
 * padded per batch, truncated to the model's maximum length; the verdict is the arg-max class.
 *
 * @example
 * ```ts
 * import { loadNliModel } from "@sentrl/semantic-entropy";
 * const nli = await loadNliModel("tools/onnx/models/tiny-nli");
 * console.log(await nli.classify([["it is paris", "paris"], ["it is paris", "rome"]])); // → ["entailment","contradiction"]
 * await nli.dispose();
 * ```
 */
export async function loadNliModel(dir: string, options: NliModelOptions = {}): Promise<NliModel> {
  // @sentrl/onnx (and through it the optional ONNX packages) loads only when a model is asked for.
  const { fromPretrained, LOCAL_PRETRAINED, loadTransformers, localOnnxModelDir } = await import("@sentrl/onnx");
  const batchSize = options.batchSize ?? 32;
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new SentrlError("NLI_BAD_OPTION", `batchSize must be a positive integer, got ${batchSize}`);
  const abs = localOnnxModelDir(dir, "NLI model");
  const labels = nliLabelsFromConfig(JSON.parse(readFileSync(join(abs, "config.json"), "utf8")));
  const t = await loadTransformers();
  const tokenizer = await fromPretrained("the tokenizer", dir, () =>
    t.AutoTokenizer.from_pretrained(abs, { local_files_only: true }),
  );
  const model = await fromPretrained("an NLI (sequence classification) model", dir, () =>
    t.AutoModelForSequenceClassification.from_pretrained(abs, { ...LOCAL_PRETRAINED }),
  );
  const classify: NliClassify = async (pairs) => {
    const out: NliLabel[] = [];
    for (let s = 0; s < pairs.length; s += batchSize) {
      const batch = pairs.slice(s, s + batchSize);
      const inputs = tokenizer(
        batch.map((p) => p[0]),
        { text_pair: batch.map((p) => p[1]), padding: true, truncation: true },
      );
      const { logits } = (await model(inputs)) as { logits: { data: Float32Array; dims: number[] } };
      const k = logits.dims[1];
      if (k !== labels.length)
        throw new SentrlError(
          "NLI_BAD_LABELS",
          `the NLI model outputs ${k} classes but config.json id2label has ${labels.length}`,
        );
      for (let r = 0; r < batch.length; r++) {
        let best = 0;
        for (let c = 1; c < k; c++) if (logits.data[r * k + c] > logits.data[r * k + best]) best = c;
        out.push(labels[best]);
      }
    }
    return out;
  };
  return { classify, labels, dispose: async () => void (await model.dispose()) };
}
