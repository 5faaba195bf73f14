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
import { readFileSync } from "node:fs";
import Module from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";

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
/**
 * Packages are left to Node, as `packages: "external"` would, except this repository's own workspace
 * packages (`@queue-processor/*`): under the source condition their exports name TypeScript files,
 * which Node cannot require, so they are compiled into the module with the entry.
 */
const externalPackagesButWorkspaces = {
  name: "external-packages-but-workspaces",
  setup(build) {
    build.onResolve({ filter: /.*/ }, (args) => {
      const bare = !args.path.startsWith(".") && !path.isAbsolute(args.path);
      if (args.kind === "entry-point" || !bare || args.path.startsWith("@queue-processor/")) return undefined;
      return { path: args.path, external: true };
    });
  },
};

/**
 * In one CommonJS module every file would share `import.meta.url` (esbuild empties it); each file gets
 * its own URL instead, so code that finds files next to itself (the construct finds the archiver) works.
 */
const importMetaUrlOfEachFile = {
  name: "import-meta-url-of-each-file",
  setup(build) {
    build.onLoad({ filter: /\.[cm]?ts$/ }, (args) => ({
      contents: readFileSync(args.path, "utf8").replaceAll(
        "import.meta.url",
        JSON.stringify(pathToFileURL(args.path).href),
      ),
      loader: "ts",
    }));
  },
};

/** The --conditions this process runs with (flags and NODE_OPTIONS), for esbuild to resolve packages alike. */
function nodeConditions() {
  const flags = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? "").split(/\s+/).filter(Boolean)];
  const conditions = [];
  for (let index = 0; index < flags.length; index++) {
    const match = /^(?:--conditions|-C)(?:=(.*))?$/.exec(flags[index]);
    if (match) conditions.push(match[1] ?? flags[++index]);
  }
  return conditions.filter(Boolean);
}

const conditions = nodeConditions();
const { outputFiles } = await build({
  entryPoints: [entry],
  outfile: filename,
  write: false,
  bundle: true,
  plugins: [externalPackagesButWorkspaces, importMetaUrlOfEachFile],
  ...(conditions.length === 0 ? {} : { conditions: ["module", ...conditions] }),
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
