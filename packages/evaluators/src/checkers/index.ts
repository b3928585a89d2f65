export { DAPO_INVALID, dapoChecker } from "./dapo.js";
export { asGoldList, MAX_CHECK_CHARS } from "./gold.js";
export { DAPO_REMOVED_EXPRESSIONS, DAPO_SUBSTITUTIONS, normalizeFinalAnswer } from "./normalize-dapo.js";
export { normalizeFinalAnswerOC, OC_REMOVED_EXPRESSIONS, OC_SUBSTITUTIONS } from "./normalize-opencompass.js";
export { isEquivV2, mathPostprocessV2, opencompassV2Checker } from "./opencompass-v2.js";
export { CHECKER_NAMES, type CheckerName, type CheckerOptions, getChecker } from "./registry.js";
export { fixASlashB, fixFracs, stripStringV2 } from "./strip-v2.js";
