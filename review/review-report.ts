/** The review's Markdown report: per environment, what the change does to each resource and the policy findings. */
import { markdownCode as code, markdownText as text } from "./markdown.js";
import { diffResource, type ResourceDiff } from "./plan-diff.js";
import { parsePlan } from "./plan-json.js";
import { checkPlan, type Finding } from "./policy/index.js";
import { isStateful } from "./policy/resource-kinds.js";
import type { EnvironmentReview } from "./review-environment.js";

export interface ReviewInput {
  readonly baseRef: string;
  readonly baseCommit: string;
  readonly reviews: readonly EnvironmentReview[];
}

const ACTION_LABEL = {
  create: "+ create",
  update: "~ update",
  replace: "-/+ **replace**",
  delete: "- **destroy**",
} as const;

/** The Markdown report, and how many findings block the change. */
export function renderReview(input: ReviewInput): { markdown: string; blocking: number } {
  const lines = [`# Terraform review: ${text(input.baseRef)} (${text(input.baseCommit)}) → working tree`, ""];
  let blocking = 0;
  for (const review of input.reviews) {
    const plan = parsePlan(review.plan);
    const findings = checkPlan(plan, { environment: review.environment });
    blocking += findings.filter((finding) => finding.severity === "blocking").length;
    const diffs = (plan.resource_changes ?? [])
      .filter((change) => change.mode === "managed")
      .map(diffResource)
      .filter((diff): diff is ResourceDiff => diff !== undefined);
    const count = (action: ResourceDiff["action"]) => diffs.filter((diff) => diff.action === action).length;
    lines.push(
      `## ${text(review.environment)}: ${count("create")} to add, ${count("update")} to change, ${count("replace")} to replace, ${count("delete")} to destroy`,
      "",
    );
    if (!review.settled) {
      lines.push("> Note: the base's state did not settle; some changes below may come from the review itself.", "");
    }
    for (const diff of diffs.filter((d) => d.action === "replace" || d.action === "delete")) {
      const reasons = diff.attributes
        .filter((attribute) => attribute.forcesReplacement)
        .map((attribute) => code(attribute.path));
      lines.push(
        `> **${diff.action === "replace" ? "Replaced" : "Destroyed"}: ${code(diff.address)}**` +
          (reasons.length > 0 ? ` (because ${reasons.join(", ")} cannot change in place)` : "") +
          (isStateful(diff.type) ? ": its messages or data are lost." : "."),
      );
    }
    if (diffs.some((d) => d.action === "replace" || d.action === "delete")) lines.push("");
    if (review.derivedChanges.length > 0) {
      lines.push("Derived values that changed (not set in the configuration; worked out from other settings):", "");
      lines.push("| processor | value | before | after | rule |", "|---|---|---|---|---|");
      for (const change of review.derivedChanges) {
        lines.push(
          `| ${text(change.processor)} | ${code(change.path)} | ${text(String(change.before ?? "(none)"))} | ${text(String(change.after ?? "(none)"))} | ${text(change.rule)} |`,
        );
      }
      lines.push("");
    }
    lines.push(...renderFindings(findings));
    if (diffs.length === 0) {
      lines.push("No changes.", "");
      continue;
    }
    lines.push("| change | resource | attribute | before | after |", "|---|---|---|---|---|");
    for (const diff of diffs) {
      const label = ACTION_LABEL[diff.action];
      if (diff.attributes.length === 0) {
        lines.push(`| ${label} | ${code(diff.address)} | | | |`);
        continue;
      }
      diff.attributes.forEach((attribute, index) => {
        lines.push(
          `| ${index === 0 ? label : ""} | ${index === 0 ? code(diff.address) : ""} | ${code(attribute.path)}${attribute.forcesReplacement ? " (forces replacement)" : ""} | ${text(attribute.before)} | ${text(attribute.after)} |`,
        );
      });
    }
    lines.push("");
  }
  lines.push(
    blocking > 0
      ? `**${blocking} blocking finding${blocking === 1 ? "" : "s"}: this change must not merge as it is.**`
      : "No blocking findings.",
    "",
  );
  return { markdown: `${lines.join("\n")}\n`, blocking };
}

/** Policy findings on the working tree's plan (the same checks as `npm run policy`). */
function renderFindings(findings: readonly Finding[]): string[] {
  if (findings.length === 0) return [];
  return [
    "Policy findings:",
    "",
    "| severity | rule | resource | finding |",
    "|---|---|---|---|",
    ...findings.map(
      (f) =>
        `| ${f.severity === "blocking" ? "**blocking**" : "advisory"} | ${f.rule} | ${code(f.address)} | ${text(f.message)} |`,
    ),
    "",
  ];
}
