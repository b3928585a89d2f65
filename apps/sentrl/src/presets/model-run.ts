/**
 * `policy: {kind: "model", dir}`: the transformer of `@sentrl/model` behind core's Policy contract, and training rows
 * read from JSONL/Parquet (verl/DAPO chat `prompt` columns used as they are; other rows rendered with the prompt
 * template). Loaded lazily: `sentrl train` on the toy policy never imports model code.
 */
import { type DatasetRow, type Policy, SentrlError } from "@sentrl/core";
import { type PromptTemplate, readDataset, rowPrompt } from "@sentrl/curriculum";

/** The gold answer of a data row: `gold`, `answer`, or verl's `reward_model.ground_truth`. */
function goldOf(row: Record<string, unknown>, index: number, file: string): string | string[] {
  const rm = row.reward_model as { ground_truth?: unknown } | undefined;
  const g = row.gold ?? row.answer ?? rm?.ground_truth;
  if (typeof g === "string" || (Array.isArray(g) && g.every((x) => typeof x === "string"))) return g;
  if (typeof g === "number") return String(g);
  throw new SentrlError(
    "TRAIN_NO_GOLD",
    `${file}: row ${index} has no gold answer (gold, answer or reward_model.ground_truth)`,
  );
}

/** Reads training rows: each row keeps its columns, with `id`, `prompt` (chat messages) and `gold` set. */
export async function readTrainingRows(
  file: string,
  options: { promptTemplate: PromptTemplate; questionField?: string; idField?: string },
): Promise<DatasetRow[]> {
  const ds = await readDataset(file);
  return ds.rows.map((row, i) => {
    const p = rowPrompt(row, i, {
      template: options.promptTemplate,
      questionField: options.questionField,
      idField: options.idField,
    });
    return { ...row, id: p.id, prompt: p.messages ?? p.text ?? "", gold: goldOf(row, i, file) };
  });
}

/** Loads the model policy on the named backend (`auto`, `fast`, `reference`, `cuda`; `selectBackend` of @sentrl/compute). */
export async function loadModelPolicy(dir: string, backend?: string): Promise<Policy> {
  const [{ ModelPolicy, loadModel, loadTokenizer }, { selectBackend }] = await Promise.all([
    import("@sentrl/model"),
    import("@sentrl/compute"),
  ]);
  return new ModelPolicy(await loadModel(dir, { backend: await selectBackend(backend) }), {
    tokenizer: loadTokenizer(dir),
  });
}
