import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** bench/README.md, wherever the benchmark is started from. */
const README = fileURLToPath(new URL("../README.md", import.meta.url));

/**
 * `text` with the block between `<!-- bench:<name>:start -->` and `<!-- bench:<name>:end -->`
 * replaced by `markdown`. The markers must be there exactly once: a missing block fails the run
 * rather than leaving the README silently stale.
 */
function replaceBlock(text: string, name: string, markdown: string): string {
  const start = `<!-- bench:${name}:start -->`;
  const end = `<!-- bench:${name}:end -->`;
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from === -1 || to < from || text.indexOf(start, from + 1) !== -1 || text.indexOf(end, to + 1) !== -1) {
    throw new Error(`bench/README.md must hold ${start} and ${end} once each, in that order`);
  }
  return `${text.slice(0, from + start.length)}\n\n${markdown}\n\n${text.slice(to)}`;
}

/** Writes each block into bench/README.md in one write, after every block has been checked. */
export function writeReadmeBlocks(blocks: Readonly<Record<string, string>>): void {
  let text = readFileSync(README, "utf8");
  for (const [name, markdown] of Object.entries(blocks)) text = replaceBlock(text, name, markdown);
  writeFileSync(README, text);
  console.log(`\nbench/README.md: wrote ${Object.keys(blocks).join(", ")}`);
}
