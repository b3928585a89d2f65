/**
 * @sentrl/testing: test support for trainers and plugins. A tabular softmax policy (the whole `Policy` contract on a
 * lookup table, exact gradients, the Backend's AdamW) and the toy task it learns in milliseconds. Not for real training.
 */
export {
  createTabularPolicy,
  type TabularHandle,
  type TabularPolicy,
  type TabularPolicyOptions,
} from "./tabular-policy.js";
export { exactMatchReward, TOY_GOLDS, TOY_VOCAB, toyDataset, toyPolicy } from "./toy-task.js";
