import { SentrlError } from "@sentrl/core";

/**
 * The paper's evaluation prompt (OpenCompass configs, docs/algorithms.md §9.2), a user turn; `{question}` is the problem.
 */
export const OPENCOMPASS_PROMPT = "{question}\nPlease reason step by step, and put your final answer within \\boxed{}.";

/** The DAPO-Math-17K training prompt (docs/algorithms.md §10.1), a user turn. */
export const DAPO_PROMPT =
  'Solve the following math problem step by step. The last line of your response should be of the form Answer: $Answer (without quotes) where $Answer is the answer to the problem.\n\n{question}\n\nRemember to put your answer on its own line after "Answer:".';

/**
 * The one table of named prompt templates (training rows, evaluation, curriculum sampling and `sentrl train`'s
 * `promptTemplate` all use these names): `dapo` (the `Answer:` line the dapo reward reads), `opencompass` (the
 * `\boxed{}` evaluation prompt that `opencompass-v2` and `symbolic` read) and `raw` (the question as it is).
 */
export const PROMPT_TEMPLATES = { opencompass: OPENCOMPASS_PROMPT, dapo: DAPO_PROMPT, raw: "{question}" } as const;
export type PromptTemplateName = keyof typeof PROMPT_TEMPLATES;
/** The template names, in table order. */
export const PROMPT_TEMPLATE_NAMES = Object.keys(PROMPT_TEMPLATES) as readonly PromptTemplateName[];

/**
 * Fills `{field}` placeholders from a row (a template name or a template string). Only `{identifier}` placeholders
 * are replaced, so `\boxed{}` and other LaTeX braces stay as they are; a missing field is an error.
 *
 * @example
 * ```ts
 * renderPrompt("opencompass", { question: "1+1?" }); // "1+1?\nPlease reason step by step, and put your final answer within \\boxed{}."
 * ```
 */
export function renderPrompt(template: PromptTemplateName | (string & {}), row: Record<string, unknown>): string {
  const t = template in PROMPT_TEMPLATES ? PROMPT_TEMPLATES[template as PromptTemplateName] : template;
  return t.replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_m, field: string) => {
    const v = row[field];
    if (v === undefined || v === null)
      throw new SentrlError("PROMPT_MISSING_FIELD", `the prompt template needs \`${field}\`, which the row lacks`);
    return String(v);
  });
}
