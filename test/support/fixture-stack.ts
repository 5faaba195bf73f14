import { cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

/** The review fixture's dev stack: a queue, its DLQ and redrive, a function, its mapping and an alarm. */
export const FIXTURE_STACK = path.join(process.cwd(), "test", "fixtures", "review-repo", "stacks", "dev");

type Body = Record<string, unknown>;
export type FixtureStack = {
  resource: Record<string, Record<string, Body>>;
  data?: Record<string, Record<string, Body>>;
};

/** A copy of the fixture's dev stack in `parent/name`, its cdk.tf.json changed by `edit`; returns the copy's folder. */
export function fixtureStackWith(parent: string, name: string, edit: (stack: FixtureStack) => void): string {
  const dir = path.join(parent, name);
  mkdirSync(dir, { recursive: true });
  cpSync(FIXTURE_STACK, dir, { recursive: true });
  const file = path.join(dir, "cdk.tf.json");
  const stack = JSON.parse(readFileSync(file, "utf8")) as FixtureStack;
  edit(stack);
  writeFileSync(file, JSON.stringify(stack, null, 2));
  return dir;
}
