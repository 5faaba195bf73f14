/** What one policy rule is: an id, a severity, a one-line reason, and a check of a linked plan. */
import type { LinkedPlan } from "./links.js";
import type { CheckOptions, FindingSeverity } from "./types.js";

/** One resource breaking the rule; `severity` only when it differs from the rule's. */
export interface Violation {
  readonly address: string;
  readonly message: string;
  readonly severity?: FindingSeverity;
}

export interface Rule {
  readonly id: string;
  readonly severity: FindingSeverity;
  readonly reason: string;
  readonly check: (plan: LinkedPlan, options: CheckOptions) => Violation[];
}
