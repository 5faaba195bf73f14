/** Command-line options shared by the benchmarks: `--name value` and bare `--flag`. */

/** `--name N` from argv, or the fallback. */
export function numberOption(name: string, fallback: number): number {
  const raw = stringOption(name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`--${name} must be a whole number of 1 or more (got ${JSON.stringify(raw)})`);
  }
  return value;
}

/** `--name value` from argv, or undefined when absent. */
export function stringOption(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  if (index === -1) return undefined;
  const value = process.argv[index + 1];
  if (value === undefined || value.startsWith("--")) throw new Error(`--${name} needs a value`);
  return value;
}

export function hasFlag(name: string): boolean {
  return process.argv.includes(`--${name}`);
}

/** Whether a run writes its tables into bench/README.md: yes unless `--no-write`. */
export function writesReadme(): boolean {
  return !hasFlag("no-write");
}

/** True when the module is the script node was started with, not an import of bench/run.ts. */
export function isMain(moduleUrl: string): boolean {
  return moduleUrl === `file://${process.argv[1]}`;
}
