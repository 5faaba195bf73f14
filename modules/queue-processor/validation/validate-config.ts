import type { ConfigIssue } from "../errors.js";
import type { QueueProcessorProps } from "../props.js";
import type { ResolvedConfig } from "../resolve.js";
import { ALARM_RULES } from "./alarm-rules.js";
import { CROSS_RESOURCE_RULES } from "./cross-resource-rules.js";
import { DEAD_LETTER_RULES } from "./dead-letter-rules.js";
import { EVENT_SOURCE_RULES } from "./event-source-rules.js";
import { HANDLER_RULES } from "./handler-rules.js";
import { QUEUE_RULES } from "./queue-rules.js";
import type { Rule } from "./rule.js";
import { TERRAFORM_TEMPLATE_RULES } from "./terraform-template-rules.js";
import { TOP_LEVEL_RULES } from "./top-level-rules.js";

/**
 * Every rule, in the order issues are reported: section by section as the props read, then across
 * sections, then the strings Terraform would not take literally.
 */
export const RULES: readonly Rule[] = [
  ...TOP_LEVEL_RULES,
  ...HANDLER_RULES,
  ...QUEUE_RULES,
  ...EVENT_SOURCE_RULES,
  ...ALARM_RULES,
  ...DEAD_LETTER_RULES,
  ...CROSS_RESOURCE_RULES,
  ...TERRAFORM_TEMPLATE_RULES,
];

/** Errors stop the synth; warnings are AWS advice that the configuration ignores but can live with. */
export interface ValidationResult {
  readonly errors: readonly ConfigIssue[];
  readonly warnings: readonly ConfigIssue[];
}

/** Runs every rule on the props and their resolved configuration. Pure. */
export function validateConfig(props: QueueProcessorProps, config: ResolvedConfig): ValidationResult {
  const errors: ConfigIssue[] = [];
  const warnings: ConfigIssue[] = [];
  for (const rule of RULES) {
    for (const issue of rule.check(props, config)) {
      (rule.level === "error" ? errors : warnings).push({ code: rule.code, ...issue });
    }
  }
  return { errors, warnings };
}
