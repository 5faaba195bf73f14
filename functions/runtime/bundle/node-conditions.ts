/** `--conditions=x`, `--conditions x`, `-C x`, `-C=x`, as Node.js reads them from its flags and NODE_OPTIONS. */
const CONDITION_FLAG = /^(?:--conditions|-C)(?:=(.*))?$/;

/**
 * The custom package.json `exports` conditions this Node.js process resolves with (its `--conditions`
 * flags, from the command line or NODE_OPTIONS). Node has no API for them, so they are read from the
 * same two places Node reads them.
 */
export function nodeConditions(
  execArgv: readonly string[] = process.execArgv,
  nodeOptions: string = process.env.NODE_OPTIONS ?? "",
): string[] {
  const flags = [...execArgv, ...nodeOptions.split(/\s+/).filter((flag) => flag !== "")];
  const conditions: string[] = [];
  for (let index = 0; index < flags.length; index++) {
    const match = CONDITION_FLAG.exec(flags[index] ?? "");
    if (!match) continue;
    const value = match[1] ?? flags[++index];
    if (value && !conditions.includes(value)) conditions.push(value);
  }
  return conditions;
}
