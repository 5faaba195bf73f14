/**
 * Time of `npm run synth` (all three environments, bundling included) beside the same app with every
 * provider class imported from the package root instead of its deep path.
 *
 *   npm run bench:synth [-- --runs 7]
 */
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { median, numberOption, printTable } from "../support/table.js";

const PROJECT = process.cwd();
const WORK = path.join(PROJECT, "bench", ".work", "synth");
const SOURCES = ["main.ts", "config", "modules", "functions", "scripts", "package.json", "tsconfig.json", "cdktf.json"];
const GOAL_SECONDS = 2.5;
const GOAL_SPEEDUP = 4;

/** `import { A, type B } from "@cdktf/provider-aws/lib/x-y/index.js";` */
const DEEP_IMPORT = /^import (type )?\{([^}]*)\} from "@cdktf\/provider-aws\/lib\/([a-z0-9-]+)\/index\.js";$/gm;

const camel = (kebab: string) => kebab.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** Rewrites deep provider imports to the package root: what a codebase without the rule looks like. */
export function toRootImports(source: string): string {
  return source.replace(DEEP_IMPORT, (statement, typeOnly: string | undefined, names: string, module: string) => {
    if (typeOnly) return statement;
    const values = names
      .split(",")
      .map((name) => name.trim())
      .filter((name) => name && !name.startsWith("type "));
    if (values.length === 0) return statement;
    const namespace = camel(module);
    return `import * as __root_${namespace} from "@cdktf/provider-aws";\nconst { ${values.join(", ")} } = __root_${namespace}.${namespace};`;
  });
}

function prepareRootImportVariant(): string {
  const dir = path.join(WORK, "root-import");
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const source of SOURCES) cpSync(path.join(PROJECT, source), path.join(dir, source), { recursive: true });
  symlinkSync(path.join(PROJECT, "node_modules"), path.join(dir, "node_modules"));
  let rewritten = 0;
  const visit = (folder: string) => {
    for (const entry of readdirSync(folder)) {
      const file = path.join(folder, entry);
      if (statSync(file).isDirectory()) visit(file);
      else if (file.endsWith(".ts")) {
        const before = readFileSync(file, "utf8");
        const after = toRootImports(before);
        if (after !== before) {
          writeFileSync(file, after);
          rewritten++;
        }
      }
    }
  };
  visit(path.join(dir, "modules"));
  if (rewritten === 0) throw new Error("no deep provider import was found to rewrite");
  return dir;
}

function timeSynth(cwd: string, runs: number): number[] {
  const seconds: number[] = [];
  // One unmeasured run warms tsx's transform cache and the file system cache for both variants alike.
  for (let run = 0; run <= runs; run++) {
    const outdir = path.join(WORK, "out", `${path.basename(cwd)}-${run}`);
    const start = performance.now();
    execFileSync("npm", ["run", "--silent", "synth"], {
      cwd,
      env: { ...process.env, CDKTF_OUTDIR: outdir },
      stdio: "ignore",
    });
    if (run > 0) seconds.push((performance.now() - start) / 1000);
  }
  return seconds;
}

export function runSynthBench(runs: number): { deep: number; root: number } {
  rmSync(WORK, { recursive: true, force: true });
  const rootVariant = prepareRootImportVariant();
  const deep = timeSynth(PROJECT, runs);
  const root = timeSynth(rootVariant, runs);
  const deepMedian = median(deep);
  const rootMedian = median(root);
  const format = (values: number[]) =>
    [median(values), Math.min(...values), Math.max(...values)].map((v) => v.toFixed(2));

  console.log(
    `\nbench/synth: npm run synth, 3 environments incl. bundling; ${runs} runs each (after 1 warm-up), seconds\n`,
  );
  printTable(
    ["variant", "median", "min", "max", "vs deep imports"],
    [
      ["deep imports (this project)", ...format(deep), "1.00x"],
      ["provider package root (anchor)", ...format(root), `${(rootMedian / deepMedian).toFixed(2)}x slower`],
    ],
  );
  const speedOk = deepMedian < GOAL_SECONDS;
  const ratioOk = rootMedian / deepMedian >= GOAL_SPEEDUP;
  console.log(
    `\ngoal: median < ${GOAL_SECONDS} s: ${speedOk ? "met" : "MISSED"} (${deepMedian.toFixed(2)} s); ` +
      `>= ${GOAL_SPEEDUP}x faster than root imports: ${ratioOk ? "met" : "MISSED"} (${(rootMedian / deepMedian).toFixed(2)}x)`,
  );
  rmSync(WORK, { recursive: true, force: true });
  return { deep: deepMedian, root: rootMedian };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  runSynthBench(numberOption("runs", 5));
}
