/** Turning dataset rows into generation prompts: the row's id and its prompt under a template. */
import type { ChatMessage, GenerationPrompt } from "@sentrl/core";
import { SentrlError } from "@sentrl/core";
import { PROMPT_TEMPLATE_NAMES, type PromptTemplateName, renderPrompt } from "@sentrl/evaluators";

/**
 * Prompt templates: the names of the one table in `@sentrl/evaluators` (`dapo`, `opencompass`, `raw`), re-exported.
 */
export type PromptTemplate = PromptTemplateName;
export { PROMPT_TEMPLATE_NAMES, PROMPT_TEMPLATES } from "@sentrl/evaluators";

/** The DAPO-Math-17K user turn (docs/algorithms.md §10.1): `renderPrompt("dapo", { question })`. */
export function dapoPrompt(problem: string): string {
  return renderPrompt("dapo", { question: problem });
}

/** The evaluation user turn (docs/algorithms.md §9.2): `renderPrompt("opencompass", { question })`. */
export function boxedPrompt(problem: string): string {
  return renderPrompt("opencompass", { question: problem });
}

const QUESTION_FIELDS = ["problem", "question", "prompt"];

function isChat(v: unknown): v is ChatMessage[] {
  return (
    Array.isArray(v) &&
    v.length > 0 &&
    v.every(
      (m) =>
        m &&
        typeof m === "object" &&
        typeof (m as ChatMessage).content === "string" &&
        typeof (m as ChatMessage).role === "string",
    )
  );
}

function getPath(row: Record<string, unknown>, path: string): unknown {
  let v: unknown = row;
  for (const part of path.split(".")) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

/**
 * A row's stable id: the given field (dotted paths allowed), else `extra_info.index`, `id`, `unique_id`, `idx`,
 * else the row's position. `replay:` files must use the same ids.
 *
 * @example
 * rowId({ extra_info: { index: 7n } }, 0); // "7"
 * rowId({ problem: "..." }, 12); // "12"
 */
export function rowId(row: Record<string, unknown>, index: number, idField?: string): string {
  const fields = idField ? [idField] : ["extra_info.index", "id", "unique_id", "idx"];
  for (const f of fields) {
    const v = getPath(row, f);
    if (typeof v === "string" || typeof v === "number" || typeof v === "bigint") return String(v);
  }
  if (idField)
    throw new SentrlError(
      "CURRICULUM_NO_ID",
      `row ${index} has no \`${idField}\` field; pick another --id-field or leave it out to use row positions`,
    );
  return String(index);
}

/**
 * The generation prompt for a row. A verl-format row whose `prompt` is already a chat (list of `{role, content}`) is
 * used as is; otherwise the question (`problem`, `question` or a string `prompt`, or `questionField`) is wrapped in
 * the template as one user turn.
 *
 * @example
 * rowPrompt({ problem: "1+1?" }, 0, { template: "dapo" }).messages?.[0].content; // "Solve the following ... 1+1? ..."
 */
export function rowPrompt(
  row: Record<string, unknown>,
  index: number,
  options: { template?: PromptTemplate; questionField?: string; idField?: string } = {},
): GenerationPrompt {
  const id = rowId(row, index, options.idField);
  const template = options.template ?? "dapo";
  if (!PROMPT_TEMPLATE_NAMES.includes(template))
    throw new SentrlError(
      "CURRICULUM_UNKNOWN_TEMPLATE",
      `unknown prompt template \`${template}\`; use one of ${PROMPT_TEMPLATE_NAMES.join(", ")}`,
    );
  if (!options.questionField && isChat(row.prompt))
    return { id, messages: row.prompt.map((m) => ({ role: m.role, content: m.content })) };
  const fields = options.questionField ? [options.questionField] : QUESTION_FIELDS;
  let q: string | undefined;
  for (const f of fields) {
    const v = getPath(row, f);
    if (typeof v === "string") {
      q = v;
      break;
    }
  }
  if (q === undefined)
    throw new SentrlError(
      "CURRICULUM_NO_QUESTION",
      `row ${index} has no question field (${fields.join(", ")}); pass --question-field`,
    );
  const content = renderPrompt(template, { question: q });
  return { id, messages: [{ role: "user", content }] };
}
