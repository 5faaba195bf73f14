export { checkPlan, RULES } from "./rules/queues.js";
export type { CheckOptions, Finding, Severity } from "./types.js";
