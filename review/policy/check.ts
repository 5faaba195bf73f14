/** `checkPlan`: every rule of the registry on one plan, findings deduplicated and in a stable order. */
import { parsePlan } from "../plan-json.js";
import { linkPlan } from "./links.js";
import { PlanGraph } from "./plan-graph.js";
import { RULE_CHECKS } from "./registry.js";
import type { CheckOptions, Finding } from "./types.js";

/** Checks a plan (`terraform show -json plan.bin`); throws PlanFormatError when it is not one. */
export function checkPlan(plan: unknown, options: CheckOptions = {}): Finding[] {
  const linked = linkPlan(new PlanGraph(parsePlan(plan)));
  const findings = new Map<string, Finding>();
  const order = new Map<string, number>();
  RULE_CHECKS.forEach((rule, index) => {
    order.set(rule.id, index);
    for (const { address, message, severity = rule.severity } of rule.check(linked, options)) {
      findings.set(
        `${rule.id}\u0000${address}\u0000${message}`,
        Object.freeze({ rule: rule.id, severity, address, message }),
      );
    }
  });
  const rank = (finding: Finding) => order.get(finding.rule) ?? order.size;
  return [...findings.values()].sort(
    (a, b) =>
      (a.severity === b.severity ? 0 : a.severity === "blocking" ? -1 : 1) ||
      rank(a) - rank(b) ||
      compare(a.address, b.address) ||
      compare(a.message, b.message),
  );
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
