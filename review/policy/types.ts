/** What the policy reports. */

/** "blocking" fails the review (exit 1); "warning" is reported and lets the change through. */
export type Severity = "blocking" | "warning";

/** One rule broken by one resource of a plan. */
export interface Finding {
  /** A rule id of {@link RULES}. */
  readonly rule: string;
  readonly severity: Severity;
  /** The resource address in the plan, e.g. `module.app.aws_sqs_queue.work`. */
  readonly address: string;
  /** One line: the address, the value found and what is expected. */
  readonly message: string;
}

export interface CheckOptions {
  /** Environment name; destroying or replacing a queue or table is blocking in "prod" (a warning elsewhere). */
  readonly environment?: string;
}
