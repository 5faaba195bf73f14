/** Small helpers to write HCL expressions that land inside the module's JSON strings. */

/** An HCL string literal: JSON's escapes (`\\`, `\"`) are HCL's too. */
export const hclString = (text: string): string => JSON.stringify(text);

/** An HCL list of literals. */
export const hclList = (values: readonly (string | number)[]): string =>
  `[${values.map((value) => (typeof value === "string" ? hclString(value) : String(value))).join(", ")}]`;

/** `${expression}`: how an expression is written where the JSON syntax expects a value. */
export const interpolate = (expression: string): string => `\${${expression}}`;

/** A JavaScript regular expression as an RE2 pattern for Terraform's `regex` (the tables' patterns use RE2's subset). */
export const hclRegex = (pattern: RegExp): string => hclString(pattern.source);

/** A number as the messages show it, without separators: Terraform prints numbers the same way. */
export const plain = (value: number): string => String(value);
