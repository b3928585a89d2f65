import { Template } from "@huggingface/jinja";
import { ModelError } from "../errors.js";

/** One chat message as chat templates expect it. */
export interface ChatTemplateMessage {
  role: string;
  content: string;
}

/** Options of `renderChatTemplate`. */
export interface ChatTemplateOptions {
  /** End with the header of an assistant turn (default true: the prompt of a generation). */
  addGenerationPrompt?: boolean;
  /** `bos_token`, `eos_token`, ... and any extra template variables (e.g. `enable_thinking`). */
  variables?: Record<string, unknown>;
}

const compiled = new Map<string, Template>();

/**
 * Renders a Hugging Face chat template (Jinja, from `tokenizer_config.json`) with `@huggingface/jinja`.
 *
 * @example
 * ```ts
 * renderChatTemplate("{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}"
 *   + "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}", [{ role: "user", content: "1+1?" }]);
 * // "<|im_start|>user\n1+1?<|im_end|>\n<|im_start|>assistant\n"
 * ```
 */
export function renderChatTemplate(
  template: string,
  messages: readonly ChatTemplateMessage[],
  options: ChatTemplateOptions = {},
): string {
  let t = compiled.get(template);
  if (!t) {
    try {
      t = new Template(template);
    } catch (e) {
      throw new ModelError("CHAT_TEMPLATE_INVALID", `the chat template does not parse: ${(e as Error).message}`);
    }
    compiled.set(template, t);
  }
  try {
    return t.render({ ...options.variables, messages, add_generation_prompt: options.addGenerationPrompt ?? true });
  } catch (e) {
    throw new ModelError("CHAT_TEMPLATE_FAILED", `rendering the chat template failed: ${(e as Error).message}`);
  }
}
