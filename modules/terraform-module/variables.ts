import { propDocs } from "./prop-docs.js";
import type { ModuleVariable } from "./variable.js";
import { ALARM_VARIABLES } from "./variables-alarms.js";
import { DEAD_LETTER_VARIABLES } from "./variables-dead-letters.js";
import { EVENT_SOURCE_VARIABLES } from "./variables-event-source.js";
import { FUNCTION_VARIABLES } from "./variables-function.js";
import { QUEUE_VARIABLES } from "./variables-queue.js";

/** Every input variable, in the order the props read. */
export const MODULE_VARIABLES: readonly ModuleVariable[] = [
  ...FUNCTION_VARIABLES,
  ...QUEUE_VARIABLES,
  ...EVENT_SOURCE_VARIABLES,
  ...ALARM_VARIABLES,
  ...DEAD_LETTER_VARIABLES,
];

/** A variable's description: its note, then its prop's TSDoc. */
export function describe(variable: ModuleVariable, docs: ReadonlyMap<string, string>): string {
  const doc = variable.prop === undefined ? undefined : docs.get(variable.prop);
  if (variable.prop !== undefined && doc === undefined) throw new Error(`no TSDoc for ${variable.prop} in props.ts`);
  return [variable.note, doc].filter(Boolean).join(" ");
}

/** The `variable` section of variables.tf.json. */
export function variableBlocks(): Record<string, Record<string, unknown>> {
  const docs = propDocs();
  return Object.fromEntries(
    MODULE_VARIABLES.map((variable) => [
      variable.name,
      {
        type: variable.type,
        description: describe(variable, docs),
        ...("default" in variable ? { default: variable.default } : {}),
        ...(variable.default !== undefined && variable.default !== null ? { nullable: false } : {}),
        ...(variable.validation?.length ? { validation: variable.validation } : {}),
      },
    ]),
  );
}
