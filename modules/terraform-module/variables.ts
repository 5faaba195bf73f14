import { isDeepStrictEqual } from "node:util";
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

/** The sections of the props, as the TSDoc names them (`eventSource.maxConcurrency`), by interface. */
const SECTIONS: Record<string, string> = {
  HandlerProps: "handler",
  QueueProps: "queue",
  EventSourceProps: "eventSource",
  AlarmsProps: "alarms",
  ArchiveDeadLetters: "deadLetters",
  ArchiverProps: "deadLetters.archiver",
};

/** `eventSource.maxConcurrency` and a bare `retentionSeconds` (the first interface's) → the variable's name. */
function variableNames(): [RegExp, string][] {
  const names: [RegExp, string][] = [];
  for (const variable of MODULE_VARIABLES) {
    const [owner, member] = variable.prop?.split(".") ?? [];
    const section = owner === undefined ? undefined : SECTIONS[owner];
    if (!member || !section) continue;
    names.push([new RegExp(`\\b${section.replace(".", "\\.")}\\.${member}\\b`, "g"), variable.name]);
    if (!names.some(([pattern]) => pattern.source === `\`${member}\``)) {
      names.push([new RegExp(`\`${member}\``, "g"), `\`${variable.name}\``]);
    }
  }
  return names;
}

/**
 * The TSDoc as an HCL user reads it: the variables' names for the props', and without what applies
 * to the construct only (a variable's value is never evaluated as a template; there are no warnings).
 */
function forHcl(doc: string): string {
  let text = doc
    .replace(/,? with no Terraform template \([^)]*\) in a key or a string/, "")
    .replace(/: a secret-looking one is a synth warning \(/, ": keep secrets out of them (")
    .split(/(?<=\.) /)
    .filter((sentence) => !sentence.includes("Terraform template"))
    .join(" ");
  for (const [pattern, name] of variableNames()) text = text.replace(pattern, name);
  return text;
}

/** A variable's description: its note, then its prop's TSDoc. */
export function describe(variable: ModuleVariable, docs: ReadonlyMap<string, string>): string {
  const doc = variable.prop === undefined ? undefined : docs.get(variable.prop);
  if (variable.prop !== undefined && doc === undefined) throw new Error(`no TSDoc for ${variable.prop} in props.ts`);
  // A null or {} default stands for what the construct works out; its @default says what that is.
  const derived =
    variable.default === null || (variable.type.startsWith("object") && isDeepStrictEqual(variable.default, {}));
  const fallback = derived && variable.prop !== undefined ? docs.get(`${variable.prop}#default`) : undefined;
  return [
    variable.note,
    doc === undefined ? undefined : forHcl(doc),
    fallback && `Default: ${forHcl(fallback).replace(/\.$/, "")}.`,
  ]
    .filter(Boolean)
    .join(" ");
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
