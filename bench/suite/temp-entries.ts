import { readdirSync } from "node:fs";
import os from "node:os";

/** The names in the system temp folder right now. */
export function tempEntries(): Set<string> {
  return new Set(readdirSync(os.tmpdir()));
}

/** Entries present now that were not in `before`: what a run left behind (or what another process made meanwhile). */
export function newTempEntries(before: ReadonlySet<string>): string[] {
  return [...tempEntries()].filter((name) => !before.has(name)).sort();
}

/**
 * Leftovers grouped by name with the random suffix replaced by `*`, most frequent first:
 * `cdktf.outdir.* x42, qp-reliability-synth-* x5`, so a report names the culprit, not 47 random names.
 */
export function describeLeftovers(names: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const name of names) {
    const pattern = name.replace(/([-._])[^-._]+$/, "$1*");
    counts.set(pattern, (counts.get(pattern) ?? 0) + 1);
  }
  return [...counts]
    .sort(([a, countA], [b, countB]) => countB - countA || a.localeCompare(b))
    .map(([pattern, count]) => `\`${pattern}\` x${count}`)
    .join(", ");
}
