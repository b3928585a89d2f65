// Core's Policy contract on our own transformer.
export { ModelPolicy, type ModelPolicyHandle, type ModelPolicyOptions } from "./model-policy.js";
