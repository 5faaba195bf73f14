export { checkPlan, RULES } from "./rules.js";
export type { CheckOptions, Finding, Severity } from "./types.js";
