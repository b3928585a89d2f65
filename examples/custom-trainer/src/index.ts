export { trainToyTask } from "./custom-loop.js";
export { dropUniformGroups } from "./drop-uniform-groups.js";
