/**
 * Runs a TypeScript entry point (the cdktf app, an example): transpiled with esbuild into one
 * CommonJS file, dependencies left to Node. Unlike a loader hook (tsx), it costs nothing per module
 * that cdktf and the provider load, which is most of what a synth loads.
 *
 *   node scripts/run-ts.mjs main.ts
 */
import { rmSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { buildSync } from "esbuild";

const entry = process.argv[2];
if (!entry) {
  console.error("usage: node scripts/run-ts.mjs <entry.ts>");
  process.exit(2);
}
// Inside the project so that Node finds its dependencies; one file per process, since tests synthesize in parallel.
const outfile = path.resolve(
  "node_modules",
  ".cache",
  "queue-processor",
  `${entry.replace(/[^A-Za-z0-9]+/g, "_")}.${process.pid}.cjs`,
);
buildSync({
  entryPoints: [entry],
  outfile,
  bundle: true,
  packages: "external",
  platform: "node",
  format: "cjs",
  target: "node22",
  sourcemap: "inline",
  logLevel: "warning",
});
// Also when the entry calls process.exit while it loads (a usage error), which skips the finally below.
process.once("exit", () => rmSync(outfile, { force: true }));
process.setSourceMapsEnabled(true);
// The entry sees its own arguments as if Node had run it directly.
process.argv = [process.argv[0], path.resolve(entry), ...process.argv.slice(3)];
try {
  createRequire(import.meta.url)(outfile);
} finally {
  rmSync(outfile, { force: true });
}
