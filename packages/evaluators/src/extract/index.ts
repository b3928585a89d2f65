export { extractBoxedAnswer, lastBoxedOnlyString, removeBoxed } from "./boxed.js";
export { DAPO_TAIL_CHARS, extractDapoAnswer, lastAnswerLine } from "./answer-line.js";
export {
  type ExtractionKind,
  type Extraction,
  extractAnswer,
  extractFinalAnswerSentence,
  extractGsm8kAnswer,
} from "./extract.js";
