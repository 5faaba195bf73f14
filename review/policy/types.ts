/**
 * What the policy reports. Its words differ on purpose from the construct's validation (`ConfigIssue`,
 * "error"/"warning"): a finding is about a plan, and "blocking" says what it does to the change.
 */

/** "blocking" fails the review (exit 1); "advisory" is reported and lets the change through. */
export type FindingSeverity = "blocking" | "advisory";

/** One rule broken by one resource of a plan. */
export interface Finding {
  /** A rule id of {@link RULES}. */
  readonly rule: string;
  readonly severity: FindingSeverity;
  /** The resource address in the plan, e.g. `module.app.aws_sqs_queue.work`. */
  readonly address: string;
  /** One line: the address, the value found and what is expected. */
  readonly message: string;
}

export interface CheckOptions {
  /**
   * Environment name. Destroying data is advisory only in a configured non-production environment
   * named exactly as configured (dev, staging); any other name, or none, is judged as production.
   */
  readonly environment?: string;
}
