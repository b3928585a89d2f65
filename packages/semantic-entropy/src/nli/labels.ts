import { SentrlError } from "@sentrl/core";

/** An NLI verdict for premise ⇒ hypothesis (docs/algorithms.md §8.1). */
export type NliLabel = "entailment" | "neutral" | "contradiction";

export const NLI_LABELS: readonly NliLabel[] = ["entailment", "neutral", "contradiction"];

/**
 * The label of each output class of an NLI classifier, read from its `config.json` `id2label` (names are matched
 * case-insensitively by prefix: `entail…`, `neutral`, `contradict…`; models order them differently).
 *
 * @example
 * nliLabelsFromConfig({ id2label: { 0: "CONTRADICTION", 1: "ENTAILMENT", 2: "NEUTRAL" } });
 * // ["contradiction", "entailment", "neutral"]
 */
export function nliLabelsFromConfig(config: { id2label?: Record<string | number, string> }): NliLabel[] {
  const id2label = config?.id2label;
  const bad = (why: string) =>
    new SentrlError(
      "NLI_BAD_LABELS",
      `the NLI model's config.json ${why}; it needs id2label naming entailment, neutral and contradiction (one class each)`,
    );
  if (!id2label || typeof id2label !== "object") throw bad("has no id2label");
  const n = Object.keys(id2label).length;
  const labels: NliLabel[] = [];
  for (let i = 0; i < n; i++) {
    const name = String(id2label[i] ?? "").toLowerCase();
    const label = name.startsWith("entail")
      ? "entailment"
      : name.startsWith("neutral")
        ? "neutral"
        : name.startsWith("contradict")
          ? "contradiction"
          : undefined;
    if (!label) throw bad(`has class ${i} = ${JSON.stringify(id2label[i])}`);
    labels.push(label);
  }
  for (const l of NLI_LABELS)
    if (labels.filter((x) => x === l).length !== 1)
      throw bad(`maps ${l} to ${labels.filter((x) => x === l).length} classes`);
  return labels;
}
