// Node --import hook for tests: makes the optional ONNX packages unresolvable, as on an install without them
// (docs/contracts.md §1). A static import of either anywhere on a command's path would fail at start-up. With
// SENTRL_BLOCK_ONNX_PACKAGE=1, our own @sentrl/onnx is refused too (commands that never use ONNX never load it).
import { register } from "node:module";

const hook = `
const blocked = ["@huggingface/transformers", "onnxruntime-node", "onnxruntime-common"];
if (process.env.SENTRL_BLOCK_ONNX_PACKAGE === "1") blocked.push("@sentrl/onnx");
export async function resolve(specifier, context, next) {
  if (blocked.some((p) => specifier === p || specifier.startsWith(p + "/"))) {
    const e = new Error("Cannot find package '" + specifier + "' imported from " + context.parentURL);
    e.code = "ERR_MODULE_NOT_FOUND";
    throw e;
  }
  return next(specifier, context);
}`;
register(`data:text/javascript,${encodeURIComponent(hook)}`);
