import { describeValue } from "../describe-value.js";
import type { ConfigIssue, ConfigIssueLevel } from "../errors.js";
import type { QueueProcessorProps } from "../props.js";
import type { ResolvedConfig } from "../resolve.js";

/** What a rule reports; the runner adds the rule's code. */
export type RuleIssue = Pick<ConfigIssue, "path" | "message">;

/** One rule: a stable code, its level, and a pure check. */
export interface Rule {
  readonly code: string;
  readonly level: ConfigIssueLevel;
  readonly check: (props: QueueProcessorProps, config: ResolvedConfig) => readonly RuleIssue[];
}

interface Range {
  readonly min: number;
  readonly max: number;
}

/** A number as the messages show it: 10,000. */
export const number = (value: number): string => value.toLocaleString("en-US");
/** The value as the user typed it, closing every message: (got "10"), (got NaN). */
export const got = (value: unknown): string => `(got ${describeValue(value)})`;
export const isInteger = (value: unknown): value is number => typeof value === "number" && Number.isInteger(value);
export const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** No issue when `ok`; otherwise one at `path`. */
export function issueUnless(ok: boolean, path: string, message: string): RuleIssue[] {
  return ok ? [] : [{ path, message }];
}

/** `batchSize must be a whole number between 1 and 10 for FIFO queues (got 20)`: the one range wording. */
export function wholeNumberIn(path: string, value: unknown, { min, max }: Range, qualifier = ""): RuleIssue[] {
  const range = max === Infinity ? `${number(min)} or more` : `between ${number(min)} and ${number(max)}`;
  return issueUnless(
    isInteger(value) && value >= min && value <= max,
    path,
    `${path} must be a whole number ${range}${qualifier} ${got(value)}`,
  );
}

/** An error when a resolved value that is set is not a whole number in the range. */
export function rangeRule(code: string, path: string, read: (config: ResolvedConfig) => unknown, range: Range): Rule {
  return {
    code,
    level: "error",
    check: (_props, config) => {
      const value = read(config);
      return value === undefined ? [] : wholeNumberIn(path, value, range);
    },
  };
}

/** An error when a prop that is set is not a boolean. */
export function booleanRule(code: string, path: string, read: (props: QueueProcessorProps) => unknown): Rule {
  return {
    code,
    level: "error",
    check: (props) => {
      const value = read(props);
      return issueUnless(
        value === undefined || typeof value === "boolean",
        path,
        `${path} must be true or false ${got(value)}`,
      );
    },
  };
}
