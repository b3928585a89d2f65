// Tokenisation: byte-level BPE from tokenizer.json, chat templates, EOS ids and generation defaults.
export { type ChatTemplateMessage, type ChatTemplateOptions, renderChatTemplate } from "./chat-template.js";
export { createModelTokenizer, type GenerationDefaults, loadTokenizer, type ModelTokenizer } from "./load.js";
export {
  type AddedTokenJson,
  type DecodeOptions,
  type EncodeOptions,
  Tokenizer,
  type TokenizerJson,
} from "./tokenizer.js";
