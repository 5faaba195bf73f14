/**
 * Runs a TypeScript entry point (the cdktf app, an example): transpiled with esbuild into one
 * CommonJS module, dependencies left to Node. Unlike a loader hook (tsx), it costs nothing per module
 * that cdktf and the provider load, which is most of what a synth loads.
 *
 *   node scripts/run-ts.mjs main.ts
 *
 * The module is compiled from memory, never written: however the entry ends (an early process.exit,
 * a throw, a signal, SIGKILL), nothing is left behind, and run-ts adds no signal handler of its own,
 * so the entry's handlers, or the signals' default actions, decide as if Node ran the entry directly.
 */
import Module from "node:module";
import path from "node:path";
import { buildSync } from "esbuild";

const entry = process.argv[2];
if (!entry) {
  console.error("usage: node scripts/run-ts.mjs <entry.ts>");
  process.exit(2);
}
// A name inside the project, so that the module's require() finds the project's dependencies. It names
// no file: the module exists only in memory.
const filename = path.resolve(
  "node_modules",
  ".cache",
  "queue-processor",
  `${entry.replace(/[^A-Za-z0-9]+/g, "_")}.${process.pid}.cjs`,
);
const { outputFiles } = buildSync({
  entryPoints: [entry],
  outfile: filename,
  write: false,
  bundle: true,
  packages: "external",
  platform: "node",
  format: "cjs",
  target: "node22",
  sourcemap: "inline",
  logLevel: "warning",
});
process.setSourceMapsEnabled(true);
// The entry sees its own arguments as if Node had run it directly.
process.argv = [process.argv[0], path.resolve(entry), ...process.argv.slice(3)];
// What require() does with a file, minus reading it: Module#_compile is what CommonJS loaders (tsx among
// them) use to run transpiled code, and it applies the inline source map to stack traces.
const compiled = new Module(filename);
compiled.filename = filename;
compiled.paths = Module._nodeModulePaths(path.dirname(filename));
compiled._compile(outputFiles[0].text, filename);
