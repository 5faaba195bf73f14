/**
 * Time of `npm run synth` (all three environments, bundling included) beside the same app with every
 * provider class imported from the package root instead of its deep path.
 *
 *   npm run bench:synth [-- --runs 7] [-- --no-write]
 */
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { type Goal, goalCell } from "../support/goal.js";
import { runHeader } from "../support/machine.js";
import { isMain, numberOption, writesReadme } from "../support/options.js";
import { writeReadmeBlocks } from "../support/readme.js";
import { Report } from "../support/report.js";
import { type Spread, spread } from "../support/stats.js";

const PROJECT = process.cwd();
const WORK = path.join(PROJECT, "bench", ".work", "synth");
const SOURCES = ["main.ts", "config", "modules", "functions", "scripts", "package.json", "tsconfig.json", "cdktf.json"];
const GOAL_SECONDS = 2.5;
const GOAL_SPEEDUP = 4;

/** `import { A, type B } from "@cdktf/provider-aws/lib/x-y/index.js";` */
const DEEP_IMPORT = /^import (type )?\{([^}]*)\} from "@cdktf\/provider-aws\/lib\/([a-z0-9-]+)\/index\.js";$/gm;

const camel = (kebab: string) => kebab.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** Rewrites deep provider imports to the package root: what a codebase without the rule looks like. */
function toRootImports(source: string): string {
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

export function runSynthBench(runs: number, options: { write: boolean }): Goal[] {
  rmSync(WORK, { recursive: true, force: true });
  try {
    const rootVariant = prepareRootImportVariant();
    const deep = spread(timeSynth(PROJECT, runs));
    const root = spread(timeSynth(rootVariant, runs));
    const speedup = root.median / deep.median;
    const fast: Goal = {
      name: `synth median < ${GOAL_SECONDS} s`,
      met: deep.median < GOAL_SECONDS,
      detail: `${deep.median.toFixed(2)} < ${GOAL_SECONDS} s`,
    };
    const faster: Goal = {
      name: `synth >= ${GOAL_SPEEDUP}x faster than root imports`,
      met: speedup >= GOAL_SPEEDUP,
      detail: `${speedup.toFixed(2)}x >= ${GOAL_SPEEDUP}x`,
    };
    const seconds = (values: Spread) => [values.median, values.min, values.max].map((value) => value.toFixed(2));

    const report = new Report();
    report.text(runHeader(`\`--runs ${runs}\``));
    report.text(
      `\`npm run synth\` (3 environments, bundling included), seconds over ${runs} runs each after 1 warm-up:`,
    );
    report.table(
      ["variant", "median", "min", "max", "vs deep imports", "goal"],
      [
        ["deep imports (this project)", ...seconds(deep), "1.00x", goalCell(fast)],
        ["provider package root (anchor)", ...seconds(root), `${speedup.toFixed(2)}x slower`, goalCell(faster)],
      ],
    );
    if (options.write) writeReadmeBlocks({ synth: report.markdown });
    return [fast, faster];
  } finally {
    rmSync(WORK, { recursive: true, force: true });
  }
}

if (isMain(import.meta.url)) {
  runSynthBench(numberOption("runs", 5), { write: writesReadme() });
}
