export { checkPlan } from "./check.js";
export { RULES } from "./registry.js";
export type { CheckOptions, Finding, Severity } from "./types.js";
