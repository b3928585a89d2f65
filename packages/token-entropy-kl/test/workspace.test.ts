// A reusable LossWorkspace (ctx.workspace) must not change any result, also when its buffers hold stale values.
import { describeWorkspaceIdentity } from "../../core/test/loss-workspace-identity.js";
import { policyLossDefinitions } from "../src/index.js";

describeWorkspaceIdentity(policyLossDefinitions, [
  ["sent", { mode: "code-intended" }],
  ["sent", { mode: "code-exact" }],
  ["sent", { mode: "paper" }],
  ["sent", { mode: "code-intended", tokenSet: "high" }],
  ["sent-v1", {}],
]);
