export { checkerVerifier, checkerVerifiers } from "./checker-verifier.js";
export { type MathRewardsPlugin, mathRewards } from "./plugin.js";
