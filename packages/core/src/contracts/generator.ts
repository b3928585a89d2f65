/**
 * A `Generator` samples completions (docs/contracts.md §7): our own model (`local:`), an OpenAI-compatible server
 * (`openai:`), an ONNX causal LM (`onnx:`) or recorded responses (`replay:`).
 */
export interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

export interface GenerationPrompt {
  /** Stable id (benchmark problem id); `replay:` generators look responses up by it. */
  id: string;
  /** Either a rendered prompt string or chat messages (the generator applies its chat template). */
  text?: string;
  messages?: ChatMessage[];
  /**
   * Prompt token ids, already tokenised by the caller (no template applied): wins over `text`/`messages` where a
   * generator supports it (`openai:` sends them as a token-id prompt), so a trainer's engine samples exactly its prompt.
   */
  tokens?: number[];
}

export interface GenerateOptions {
  n: number;
  temperature?: number;
  topP?: number;
  topK?: number;
  maxTokens?: number;
  stop?: string[];
  seed?: number;
  signal?: AbortSignal;
}

export interface Completion {
  text: string;
  tokenIds?: number[];
  tokenLogprobs?: number[];
  /** Sum of the completion's token log-probs in nats (recorded responses may carry only this). */
  logLik?: number;
  /** Number of completion tokens. */
  numTokens?: number;
  finishReason: "stop" | "length" | (string & {});
}

export interface Generator {
  /** The spec it was built from, e.g. `replay:/data/responses.jsonl`. */
  readonly spec: string;
  /** Per prompt, `options.n` completions, in prompt order. */
  generate(prompts: GenerationPrompt[], options: GenerateOptions): Promise<Completion[][]>;
  close?(): Promise<void>;
}
