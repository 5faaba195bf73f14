import { hclList, plain } from "./hcl.js";

/** One `validation` block: Terraform shows `error_message` when `condition` is false. */
export interface Validation {
  readonly condition: string;
  readonly error_message: string;
}

/** One input variable of the module, and where its description comes from. */
export interface ModuleVariable {
  readonly name: string;
  /** A Terraform type constraint. */
  readonly type: string;
  /** Absent for a required variable; `null` for an optional one without a value. */
  readonly default?: unknown;
  /** The prop (`Interface.member` in props.ts) whose TSDoc is the description. */
  readonly prop?: string;
  /** Said before the prop's TSDoc, or alone for a variable that has no prop. */
  readonly note?: string;
  readonly validation?: readonly Validation[];
}

/** The value as a message shows it, null-safe: Terraform renders every message, even of a passing rule. */
export const got = (name: string): string => `(got \${jsonencode(var.${name})})`;

interface Range {
  readonly min: number;
  readonly max: number;
}

/** `<name> must be a whole number between <min> and <max>` (or `<min> or more`), as the construct says it. */
export function wholeNumber(name: string, { min, max }: Range, options: { when?: string; qualifier?: string } = {}) {
  const within = max === Infinity ? `var.${name} >= ${min}` : `var.${name} >= ${min} && var.${name} <= ${max}`;
  const check = `floor(var.${name}) == var.${name} && ${within}`;
  const guard = options.when ? `var.${name} == null || !(${options.when})` : `var.${name} == null`;
  const range = max === Infinity ? `${plain(min)} or more` : `between ${plain(min)} and ${plain(max)}`;
  return {
    condition: `\${${guard} ? true : (${check})}`,
    error_message: `${name} must be a whole number ${range}${options.qualifier ?? ""} ${got(name)}.`,
  };
}

/** One of a list of values. */
export function oneOf(name: string, values: readonly (string | number)[]): Validation {
  return {
    condition: `\${var.${name} == null ? true : contains(${hclList(values)}, var.${name})}`,
    error_message: `${name} must be one of ${values.join(", ")} ${got(name)}.`,
  };
}

/** A plain `${...}` condition with its message. */
export const rule = (condition: string, message: string): Validation => ({
  condition: `\${${condition}}`,
  error_message: message,
});
