export { trainToyTask } from "./custom-loop.js";
export { dropUniformGroups } from "./drop-uniform-groups.js";
export { type CurriculumStep, trainSentWithCurriculum } from "./sent-curriculum.js";
