export { checkPlan } from "./check.js";
export { RULES } from "./registry.js";
export type { CheckOptions, Finding, FindingSeverity } from "./types.js";
