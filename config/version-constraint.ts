/**
 * Terraform's provider version constraints (`>= 5.100.0, < 7.0.0`, `~> 5.100`, `5.100.0`), for checking
 * a locked provider version against the constraint a stack requires. Only release versions
 * (`major.minor.patch`) are compared: a pre-release, or any other syntax, is an error, not a guess.
 */

const OPERATORS = ["=", "!=", ">", ">=", "<", "<=", "~>"] as const;
type Operator = (typeof OPERATORS)[number];

const PART = /^\s*(!=|>=|<=|~>|=|>|<)?\s*(\d+(?:\.\d+){0,2})\s*$/;

/** A version or constraint Terraform would read differently from this module. */
export class VersionConstraintError extends Error {
  override readonly name = "VersionConstraintError";
}

function numbers(version: string): number[] {
  return version.split(".").map(Number);
}

function compare(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < 3; i++) {
    const difference = (a[i] ?? 0) - (b[i] ?? 0);
    if (difference !== 0) return Math.sign(difference);
  }
  return 0;
}

/** `~> 5.100` allows 5.x from 5.100 on; `~> 5.100.0` allows 5.100.x; `~> 5` allows 5.x. */
function pessimisticUpperBound(given: readonly number[]): number[] {
  const [major = 0, minor = 0] = given;
  return given.length === 3 ? [major, minor + 1, 0] : [major + 1, 0, 0];
}

function satisfiesPart(version: readonly number[], operator: Operator, given: readonly number[]): boolean {
  const order = compare(version, given);
  switch (operator) {
    case "=":
      return order === 0;
    case "!=":
      return order !== 0;
    case ">":
      return order > 0;
    case ">=":
      return order >= 0;
    case "<":
      return order < 0;
    case "<=":
      return order <= 0;
    case "~>":
      return order >= 0 && compare(version, pessimisticUpperBound(given)) < 0;
  }
}

/** Whether `version` (e.g. `5.100.0`) meets every part of `constraint` (e.g. `>= 5.100.0, < 7.0.0`). */
export function satisfiesConstraint(version: string, constraint: string): boolean {
  if (!/^\d+\.\d+\.\d+$/.test(version)) {
    throw new VersionConstraintError(`version must be a release version major.minor.patch (got "${version}")`);
  }
  return constraint.split(",").every((part) => {
    const match = PART.exec(part);
    if (!match) {
      throw new VersionConstraintError(
        `constraint part "${part.trim()}" of "${constraint}" must be an operator (${OPERATORS.join(" ")}) and a release version`,
      );
    }
    const [, operator = "=", given = ""] = match;
    return satisfiesPart(numbers(version), operator as Operator, numbers(given));
  });
}
