import { readdirSync } from "node:fs";
import os from "node:os";

/**
 * Node's module compile cache, which vitest turns on (`module.enableCompileCache()`): a cache kept on
 * purpose from run to run in `os.tmpdir()`, made by the tooling once per machine, not by a test.
 */
const TOOL_CACHES = new Set(["node-compile-cache"]);

/**
 * Snapshots the system temp folder before a run; `finish()` lists the entries that appeared since.
 * The run keeps the machine's own temp folder (a TMPDIR of its own would start every run with cold
 * caches and time something else), so another process writing there meanwhile counts too.
 */
export function watchTemp(): { finish(): string[] } {
  const before = new Set(readdirSync(os.tmpdir()));
  return {
    finish: () =>
      readdirSync(os.tmpdir())
        .filter((name) => !before.has(name) && !TOOL_CACHES.has(name))
        .sort(),
  };
}

/**
 * Leftovers grouped by name with the random suffix replaced by `*`, most frequent first:
 * `cdktf.outdir.* x42, qp-reliability-synth-* x5`, so a report names the culprit, not 47 random names.
 */
export function describeLeftovers(names: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const name of names) {
    const pattern = name.replace(/([-._])[^-._]+$/, "$1*").replace(/\d{6,}$/, "*");
    counts.set(pattern, (counts.get(pattern) ?? 0) + 1);
  }
  return [...counts]
    .sort(([a, countA], [b, countB]) => countB - countA || a.localeCompare(b))
    .map(([pattern, count]) => `\`${pattern}\` x${count}`)
    .join(", ");
}
