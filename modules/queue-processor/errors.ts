/** How bad a {@link ConfigIssue} is: an error stops the synth, a warning is AWS advice the props ignore. */
export type ConfigIssueLevel = "error" | "warning";

/** One broken or questionable setting, named by its path as the user typed it. */
export interface ConfigIssue {
  /** Stable identifier of the rule, e.g. `batch-size-range`. */
  readonly code: string;
  /** Property path as written in the props, e.g. `eventSource.batchSize`. */
  readonly path: string;
  /** The whole sentence: property, what is allowed, and the value given. */
  readonly message: string;
}

/**
 * Thrown at synth time when a {@link QueueProcessor}'s props break an AWS rule. It lists every
 * broken rule at once, so one synth shows everything to fix.
 */
export class QueueProcessorConfigError extends Error {
  readonly issues: readonly ConfigIssue[];

  /** `what` names the kind of thing configured: the construct, or the orders stack's environment. */
  constructor(constructName: string, issues: readonly ConfigIssue[], what = "QueueProcessor") {
    const lines = issues.map((issue) => `  - [${issue.code}] ${issue.message}`);
    super(`Invalid ${what} "${constructName}":\n${lines.join("\n")}`);
    this.name = "QueueProcessorConfigError";
    this.issues = issues;
  }

  /** The codes of the broken rules, in order. */
  get codes(): string[] {
    return this.issues.map((issue) => issue.code);
  }
}
