/** E: the cold `require` of each bundled handler in a fresh `node` process, as a Lambda cold start loads it. */
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { type Goal, goalCell } from "../support/goal.js";
import type { Report } from "../support/report.js";
import { type Spread, spread } from "../support/stats.js";
import type { BundledHandler, BundledHandlers, SdkPackaging } from "./bundles.js";
import { ms, times } from "./format.js";

const GOAL_VS_SEED = 1.1;

const CHILD = `const { performance } = require("node:perf_hooks");
const start = performance.now();
require(process.argv[2]);
process.stdout.write(String(performance.now() - start));
`;

/** ms to `require` the bundle in a fresh `node`, with the environment the handlers read at init. */
function coldRequire(child: string, handler: BundledHandler): number {
  const run = spawnSync(process.execPath, [child, path.join(handler.dir, "index.js")], {
    env: {
      PATH: process.env.PATH ?? "",
      TABLE_NAME: "orders-bench",
      DLQ_URL: "https://sqs.us-east-1.amazonaws.com/123456789012/orders-dlq",
      QUEUE_URL: "https://sqs.us-east-1.amazonaws.com/123456789012/orders",
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE",
      AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
      AWS_LAMBDA_FUNCTION_NAME: "orders-bench-processor",
    },
    encoding: "utf8",
  });
  const value = Number(run.stdout);
  if (run.status !== 0 || !Number.isFinite(value)) {
    throw new Error(`requiring ${handler.entry} failed (exit ${run.status}): ${run.stderr.slice(-2000)}`);
  }
  return value;
}

/** `samples` processes per handler, handlers interleaved, after one unmeasured require each. */
function timeRequires(
  child: string,
  handlers: readonly BundledHandler[],
  samples: number,
): Map<BundledHandler, Spread> {
  const elapsed = new Map(handlers.map((handler) => [handler, [] as number[]]));
  for (const handler of handlers) coldRequire(child, handler); // warms the file system cache alike
  for (let sample = 0; sample < samples; sample++) {
    for (let i = 0; i < handlers.length; i++) {
      const handler = handlers[(i + sample) % handlers.length];
      if (!handler) throw new Error("no handler at this position");
      elapsed.get(handler)?.push(coldRequire(child, handler));
    }
  }
  return new Map([...elapsed].map(([handler, values]) => [handler, spread(values)]));
}

/** One table per packaging; the goal is judged on the construct's default packaging only. */
export function coldRequireBench(
  packagings: readonly { packaging: SdkPackaging; handlers: BundledHandlers }[],
  samples: number,
  workDir: string,
  report: Report,
): Goal[] {
  const child = path.join(workDir, "child.cjs");
  writeFileSync(child, CHILD);
  const goals: Goal[] = [];
  for (const { packaging, handlers } of packagings) {
    const results = timeRequires(child, handlers.all, samples);
    const resultOf = (handler: BundledHandler): Spread => {
      const result = results.get(handler);
      if (!result) throw new Error(`no timings for ${handler.name}`);
      return result;
    };
    const seedMedian = resultOf(handlers.seedStyle).median;
    const oursMedian = resultOf(handlers.ours).median;
    const limit = GOAL_VS_SEED * seedMedian;
    const goal: Goal = {
      name: "E. cold require <= seed-style + 10%",
      met: oursMedian <= limit,
      detail: `${ms(oursMedian)} <= ${GOAL_VS_SEED} x ${ms(seedMedian)} = ${ms(limit)} ms`,
    };
    if (packaging.judged) goals.push(goal);
    report.text(
      `E. Cold require of the bundled index.js, timed inside a fresh node process, ${packaging.label}: ` +
        `ms over ${samples} processes each, interleaved${packaging.judged ? `; goal: at most the seed-style handler + ${Math.round((GOAL_VS_SEED - 1) * 100)}%` : " (for reference: no goal)"}.`,
    );
    report.table(
      ["handler", "median", "min", "max", "vs seed-style", "goal"],
      handlers.all.map((handler) => {
        const values = resultOf(handler);
        return [
          handler.name,
          ms(values.median),
          ms(values.min),
          ms(values.max),
          times(values.median / seedMedian),
          handler === handlers.ours && packaging.judged ? goalCell(goal) : "",
        ];
      }),
    );
  }
  return goals;
}
