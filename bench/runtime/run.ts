/**
 * The runtime library (functions/lib) beside Powertools for AWS Lambda 2.35 and the seeds' hand-written
 * loop: batch time with I/O (standard and FIFO), CPU per record, bundle size, cold `require` time and
 * bounded concurrency, one table each with its goal.
 *
 *   npm run bench:runtime [-- --runs 5]
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { performance } from "node:perf_hooks";
import type { Context, SQSBatchResponse, SQSEvent } from "aws-lambda";
import { unzipSync } from "fflate";
import { bundleFunction, type FunctionBundle } from "../../modules/bundle/bundle.js";
import { RUNTIME_PROVIDED_MODULES } from "../../modules/queue-processor/function.js";
import { median, numberOption, printTable } from "../support/table.js";
import { lambdaContext, sleep, sqsEvent } from "./events.js";
import type { Implementation, RecordWork } from "./implementation.js";

const PROJECT = process.cwd();
const WORK = path.join(PROJECT, "bench", ".work", "runtime");
/**
 * The three implementations, each bundled by bundleFunction as a deployment bundles it and required
 * from the bundle: all three run minified esbuild output (run from source, tsx's `keepNames` would
 * add a `__name()` call to every closure ours creates per batch, and Powertools would run as tsc
 * output from node_modules).
 */
const IMPLEMENTATION_FILES = [
  { entry: "bench/runtime/ours.ts", exportName: "ours" },
  { entry: "bench/runtime/powertools.ts", exportName: "powertools" },
  { entry: "bench/runtime/seed-loop.ts", exportName: "seedLoop" },
] as const;

let ours: Implementation;
let powertools: Implementation;
let seedLoop: Implementation;
let IMPLEMENTATIONS: readonly Implementation[] = [];

/** Unzips a bundle into a folder of its own, as Lambda does: CommonJS, whatever the project's package.json says. */
function unpack(bundle: FunctionBundle, name: string): string {
  const dir = path.join(WORK, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "package.json"), '{ "type": "commonjs" }\n');
  for (const [file, contents] of Object.entries(unzipSync(readFileSync(bundle.zipPath)))) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), contents);
  }
  return dir;
}

function loadImplementations(): void {
  const load = createRequire(import.meta.url);
  [ours, powertools, seedLoop] = IMPLEMENTATION_FILES.map(({ entry, exportName }) => {
    const bundle = bundleFunction({ entry, outputDirectory: path.join(WORK, "zips"), workingDirectory: PROJECT });
    const implementation = (
      load(path.join(unpack(bundle, `implementation-${exportName}`), "index.js")) as Record<string, Implementation>
    )[exportName];
    if (!implementation) throw new Error(`${entry} does not export ${exportName}`);
    return implementation;
  }) as [Implementation, Implementation, Implementation];
  IMPLEMENTATIONS = [ours, powertools, seedLoop];
}

const IO_MS = 20;
const IO_GOAL_FACTOR = 1.3;
const CPU_GOAL_VS_SEED = 1.5;
const SIZE_GOAL_VS_POWERTOOLS = 0.6;
const REQUIRE_GOAL_VS_SEED = 1.1;
const POOL_RECORDS = 1000;
const POOL_CONCURRENCY = 16;
const POOL_IO_MS = 2;

export interface Goal {
  readonly name: string;
  readonly met: boolean;
  readonly detail: string;
}

const ms = (value: number) => value.toFixed(1);
const us = (value: number) => value.toFixed(2);
const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;
const verdict = (met: boolean) => (met ? "met" : "MISSED");

function expectAllSucceeded(response: SQSBatchResponse, name: string): void {
  if (response.batchItemFailures.length > 0) {
    throw new Error(`${name} reported ${response.batchItemFailures.length} failed records in a batch that cannot fail`);
  }
}

/** Every implementation once per sample, in an order rotated each sample, after one unmeasured run each. */
async function timeBatches(
  samples: number,
  makeEvent: () => SQSEvent,
  work: RecordWork,
  context: Context,
): Promise<Map<Implementation, number[]>> {
  const times = new Map(IMPLEMENTATIONS.map((implementation) => [implementation, [] as number[]]));
  for (let sample = -1; sample < samples; sample++) {
    for (let i = 0; i < IMPLEMENTATIONS.length; i++) {
      const implementation = IMPLEMENTATIONS[(i + Math.max(sample, 0)) % IMPLEMENTATIONS.length]!;
      const event = makeEvent();
      const start = performance.now();
      const response = await implementation.run(event, context, work);
      const elapsed = performance.now() - start;
      expectAllSucceeded(response, implementation.name);
      if (sample >= 0) times.get(implementation)!.push(elapsed);
    }
  }
  return times;
}

async function ioBench(
  label: string,
  title: string,
  samples: number,
  makeEvent: () => SQSEvent,
  context: Context,
): Promise<Goal> {
  const times = await timeBatches(samples, makeEvent, () => sleep(IO_MS), context);
  const limit = IO_GOAL_FACTOR * IO_MS;
  const oursMedian = median(times.get(ours)!);
  const met = oursMedian <= limit;
  console.log(
    `\n${label}. ${title}, handler awaits ${IO_MS} ms (setTimeout); median of ${samples} batches each (after 1 warm-up), ms\n`,
  );
  printTable(
    ["implementation", "median", "min", "max", "x one record's I/O", "goal"],
    IMPLEMENTATIONS.map((implementation) => {
      const values = times.get(implementation)!;
      const m = median(values);
      return [
        implementation.name,
        ms(m),
        ms(Math.min(...values)),
        ms(Math.max(...values)),
        `${(m / IO_MS).toFixed(2)}x`,
        implementation === ours ? `${verdict(met)} (${ms(m)} <= ${ms(limit)} ms)` : "",
      ];
    }),
  );
  return { name: `${label} ${title}`, met, detail: `${ms(oursMedian)} ms <= ${ms(limit)} ms` };
}

/** A handler that does nothing: what remains is each implementation's own cost per record. */
const noop: RecordWork = async () => undefined;
/** The CPU part of every seed handler: parse the order body and check its fields, no I/O. */
const parseOrder: RecordWork = async (record) => {
  const body = JSON.parse(record.body) as {
    type?: unknown;
    data?: { order_id?: unknown; items?: unknown };
    timestamp?: unknown;
  };
  if (
    typeof body.type !== "string" ||
    typeof body.timestamp !== "string" ||
    typeof body.data?.order_id !== "string" ||
    !Array.isArray(body.data.items)
  ) {
    throw new Error("invalid order");
  }
};

/** µs per record of `work`: `batches` batches of `size` records per round, implementations interleaved. */
async function cpuPerRecord(
  rounds: number,
  batches: number,
  size: number,
  context: Context,
  work: RecordWork = noop,
): Promise<Map<Implementation, number>> {
  const events = Array.from({ length: batches }, (_, batch) => sqsEvent(size, { prefix: `b${batch}` }));
  const perRecord = new Map(IMPLEMENTATIONS.map((implementation) => [implementation, [] as number[]]));
  for (let round = -1; round < rounds; round++) {
    for (let i = 0; i < IMPLEMENTATIONS.length; i++) {
      const implementation = IMPLEMENTATIONS[(i + Math.max(round, 0)) % IMPLEMENTATIONS.length]!;
      const start = performance.now();
      for (const event of events) {
        const response = await implementation.run(event, context, work);
        if (response.batchItemFailures.length > 0) expectAllSucceeded(response, implementation.name);
      }
      const elapsed = performance.now() - start;
      if (round >= 0) perRecord.get(implementation)!.push((elapsed * 1000) / (batches * size));
    }
  }
  return new Map([...perRecord].map(([implementation, values]) => [implementation, median(values)]));
}

async function cpuBench(runs: number, context: Context): Promise<Goal[]> {
  const rounds = Math.max(5, runs * 2);
  const small = await cpuPerRecord(rounds, 2000, 10, context);
  const large = await cpuPerRecord(rounds, 1, 10_000, context);
  const parsing = await cpuPerRecord(rounds, 2000, 10, context, parseOrder);
  const goals: Goal[] = [];
  const row = (workload: string, values: Map<Implementation, number>): string[] => {
    const [mine, theirs, seed] = [values.get(ours)!, values.get(powertools)!, values.get(seedLoop)!];
    const seedLimit = CPU_GOAL_VS_SEED * seed;
    const vsPowertools = {
      name: `C CPU ${workload} <= Powertools`,
      met: mine <= theirs,
      detail: `${us(mine)} <= ${us(theirs)} µs/record`,
    };
    const vsSeed = {
      name: `C CPU ${workload} <= ${CPU_GOAL_VS_SEED} x seed`,
      met: mine <= seedLimit,
      detail: `${us(mine)} <= ${us(seedLimit)} µs/record`,
    };
    goals.push(vsPowertools, vsSeed);
    return [
      workload,
      us(mine),
      us(theirs),
      us(seed),
      `${verdict(vsPowertools.met)} (${vsPowertools.detail})`,
      `${verdict(vsSeed.met)} (${us(mine)} <= ${CPU_GOAL_VS_SEED} x ${us(seed)} = ${us(seedLimit)})`,
    ];
  };
  const rows = [
    row("no-op handler, 2,000 batches x 10", small),
    row("no-op handler, 1 batch x 10,000", large),
    row("JSON.parse + field checks, 2,000 x 10", parsing),
  ];
  const perBatch = (implementation: Implementation) => (small.get(implementation)! * 10).toFixed(1);
  rows.push(["(no-op, 2,000 x 10: µs per batch)", perBatch(ours), perBatch(powertools), perBatch(seedLoop), "", ""]);
  console.log(
    `\nC. CPU per record without I/O: a no-op handler (each implementation's own cost) and the seeds' parse-and-check work, µs/record; median of ${rounds} rounds (after 1 warm-up), implementations interleaved. ` +
      `Ours: metrics: false, logger at ERROR (no stdout write per batch), default concurrency 10\n`,
  );
  printTable(
    [
      "workload",
      ...IMPLEMENTATIONS.map((implementation) => implementation.name),
      "goal: ours <= Powertools",
      `goal: ours <= ${CPU_GOAL_VS_SEED} x seed`,
    ],
    rows,
  );
  return goals;
}

interface Bundled {
  readonly name: string;
  readonly entry: string;
  readonly codeBytes: number;
  readonly zipBytes: number;
  readonly dir: string;
}

const HANDLERS = [
  { name: "ours (functions/order-processor)", entry: "functions/order-processor/handler.ts" },
  { name: "Powertools 2.35 (batch+logger+metrics+idempotency)", entry: "bench/runtime/handlers/powertools.ts" },
  { name: "seed-style (loop, JSON.parse, hand checks)", entry: "bench/runtime/handlers/seed-style.ts" },
] as const;

/** How the SDK is packaged: as the construct deploys by default, and with `handler.bundleAwsSdk: true`. */
interface SdkPackaging {
  readonly key: string;
  readonly label: string;
  readonly externalModules: readonly string[];
}
const SDK_FROM_RUNTIME: SdkPackaging = {
  key: "runtime-sdk",
  label: "@aws-sdk/* from the Lambda runtime (the construct's default)",
  externalModules: RUNTIME_PROVIDED_MODULES,
};
const SDK_BUNDLED: SdkPackaging = {
  key: "bundled-sdk",
  label: "@aws-sdk/* bundled (handler.bundleAwsSdk: true)",
  externalModules: [],
};

/**
 * Each handler bundled exactly as a deployment bundles it, then unzipped into a folder of its own
 * inside the project, whose node_modules stands in for the SDK the Lambda runtime provides.
 */
function bundleHandlers(packaging: SdkPackaging): Bundled[] {
  return HANDLERS.map(({ name, entry }, index) => {
    const bundle = bundleFunction({
      entry,
      outputDirectory: path.join(WORK, "zips", packaging.key),
      workingDirectory: PROJECT,
      externalModules: packaging.externalModules,
    });
    return {
      name,
      entry,
      codeBytes: bundle.codeBytes,
      zipBytes: bundle.zipBytes,
      dir: unpack(bundle, `${packaging.key}-${index}`),
    };
  });
}

/** Goals apply to what the construct deploys by default; the other packaging is printed for reference. */
function sizeBench(bundles: readonly Bundled[], packaging: SdkPackaging): Goal | undefined {
  const [mine, theirs, seed] = bundles as [Bundled, Bundled, Bundled];
  const limit = SIZE_GOAL_VS_POWERTOOLS * theirs.codeBytes;
  const met = mine.codeBytes <= limit;
  console.log(
    "\nD. Bundle size: the same order processor three ways, each built by bundleFunction (esbuild, minified CJS, node22), " +
      `${packaging.label}; KiB = 1,024 bytes\n`,
  );
  printTable(
    ["handler", "entry", "code", "zip", "code beyond seed-style", "code vs Powertools", "goal"],
    bundles.map((bundle) => [
      bundle.name,
      bundle.entry,
      kib(bundle.codeBytes),
      kib(bundle.zipBytes),
      `${((bundle.codeBytes - seed.codeBytes) / 1024).toFixed(1)} KiB`,
      `${(bundle.codeBytes / theirs.codeBytes).toFixed(2)}x`,
      bundle !== mine
        ? ""
        : packaging === SDK_FROM_RUNTIME
          ? `${verdict(met)} (${kib(mine.codeBytes)} <= ${SIZE_GOAL_VS_POWERTOOLS} x ${kib(theirs.codeBytes)} = ${kib(limit)})`
          : "(reference: not the default)",
    ]),
  );
  if (packaging !== SDK_FROM_RUNTIME) return undefined;
  return { name: "D bundle code size vs Powertools", met, detail: `${kib(mine.codeBytes)} <= ${kib(limit)}` };
}

const CHILD = `const { performance } = require("node:perf_hooks");
const start = performance.now();
require(process.argv[2]);
process.stdout.write(String(performance.now() - start));
`;

/** ms to `require` the bundle in a fresh `node`, with the environment the handlers read at init. */
function coldRequire(bundle: Bundled): number {
  const child = spawnSync(process.execPath, [path.join(WORK, "child.cjs"), path.join(bundle.dir, "index.js")], {
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
  const value = Number(child.stdout);
  if (child.status !== 0 || !Number.isFinite(value)) {
    throw new Error(`requiring ${bundle.entry} failed (exit ${child.status}): ${child.stderr.slice(-2000)}`);
  }
  return value;
}

function requireBench(bundles: readonly Bundled[], samples: number, packaging: SdkPackaging): Goal | undefined {
  writeFileSync(path.join(WORK, "child.cjs"), CHILD);
  const times = new Map(bundles.map((bundle) => [bundle, [] as number[]]));
  for (const bundle of bundles) coldRequire(bundle); // warms the file system cache alike
  for (let sample = 0; sample < samples; sample++) {
    for (let i = 0; i < bundles.length; i++) {
      const bundle = bundles[(i + sample) % bundles.length]!;
      times.get(bundle)!.push(coldRequire(bundle));
    }
  }
  const [mine, , seed] = bundles as [Bundled, Bundled, Bundled];
  const oursMedian = median(times.get(mine)!);
  const seedMedian = median(times.get(seed)!);
  const limit = REQUIRE_GOAL_VS_SEED * seedMedian;
  const met = oursMedian <= limit;
  console.log(
    `\nE. Cold require of the bundled index.js, timed inside a fresh node process, ${packaging.label}; ${samples} processes each, interleaved, ms\n`,
  );
  printTable(
    ["handler", "median", "min", "max", "vs seed-style", "goal"],
    bundles.map((bundle) => {
      const values = times.get(bundle)!;
      return [
        bundle.name,
        ms(median(values)),
        ms(Math.min(...values)),
        ms(Math.max(...values)),
        `${(median(values) / seedMedian).toFixed(2)}x`,
        bundle !== mine
          ? ""
          : packaging === SDK_FROM_RUNTIME
            ? `${verdict(met)} (${ms(oursMedian)} <= ${REQUIRE_GOAL_VS_SEED} x ${ms(seedMedian)} = ${ms(limit)} ms)`
            : `(reference: ${ms(oursMedian)} vs ${ms(limit)} ms)`,
      ];
    }),
  );
  if (packaging !== SDK_FROM_RUNTIME) return undefined;
  return { name: "E cold require vs seed-style + 10%", met, detail: `${ms(oursMedian)} <= ${ms(limit)} ms` };
}

async function concurrencyBench(runs: number, context: Context): Promise<Goal> {
  const samples = Math.max(3, Math.ceil(runs / 2));
  const rows: string[][] = [];
  let oursMax = 0;
  for (const implementation of IMPLEMENTATIONS) {
    const times: number[] = [];
    let maxInFlight = 0;
    // The seed loop runs one record at a time: one sample says all there is, in ~1,000 x the I/O time.
    for (let sample = 0; sample < (implementation === seedLoop ? 1 : samples); sample++) {
      let inFlight = 0;
      const work: RecordWork = async () => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await sleep(POOL_IO_MS);
        inFlight--;
      };
      const start = performance.now();
      const response = await implementation.run(sqsEvent(POOL_RECORDS), context, work, {
        concurrency: POOL_CONCURRENCY,
      });
      times.push(performance.now() - start);
      expectAllSucceeded(response, implementation.name);
    }
    if (implementation === ours) oursMax = maxInFlight;
    const met = maxInFlight <= POOL_CONCURRENCY;
    rows.push([
      implementation.name,
      implementation === ours
        ? String(POOL_CONCURRENCY)
        : implementation === powertools
          ? "none (all at once)"
          : "1 (sequential)",
      String(maxInFlight),
      ms(median(times)),
      String(times.length),
      implementation === ours ? `${verdict(met)} (max ${maxInFlight} <= ${POOL_CONCURRENCY})` : "",
    ]);
  }
  console.log(
    `\nF. Bounded concurrency: ${POOL_RECORDS.toLocaleString("en")} standard records, handler awaits ${POOL_IO_MS} ms, ours with concurrency ${POOL_CONCURRENCY}\n`,
  );
  printTable(["implementation", "limit", "max in flight", "batch ms (median)", "batches", "goal"], rows);
  return { name: "F max in flight", met: oursMax <= POOL_CONCURRENCY, detail: `${oursMax} <= ${POOL_CONCURRENCY}` };
}

export async function runRuntimeBench(runs: number): Promise<Goal[]> {
  rmSync(WORK, { recursive: true, force: true });
  mkdirSync(WORK, { recursive: true });
  const context = lambdaContext();
  const ioSamples = runs * 4;
  loadImplementations();
  console.log(
    `\nbench/runtime: ${IMPLEMENTATIONS.map((implementation) => implementation.name).join(", ")}; ` +
      `each bundled by bundleFunction and required from the bundle; ours runs with metrics: false and a logger at ERROR, so no stdout write per batch distorts the numbers`,
  );
  try {
    const goals: Goal[] = [];
    goals.push(await ioBench("A", "10 standard records", ioSamples, () => sqsEvent(10), context));
    goals.push(
      await ioBench("B", "10 FIFO records in 10 groups", ioSamples, () => sqsEvent(10, { groups: 10 }), context),
    );
    goals.push(...(await cpuBench(runs, context)));
    for (const packaging of [SDK_FROM_RUNTIME, SDK_BUNDLED]) {
      const bundles = bundleHandlers(packaging);
      const size = sizeBench(bundles, packaging);
      const cold = requireBench(bundles, runs * 6, packaging);
      for (const goal of [size, cold]) if (goal) goals.push(goal);
    }
    goals.push(await concurrencyBench(runs, context));
    const missed = goals.filter((goal) => !goal.met);
    console.log(
      `\ngoals: ${goals.length - missed.length}/${goals.length} met; ` +
        goals.map((goal) => `${goal.name}: ${verdict(goal.met)} (${goal.detail})`).join("; "),
    );
    return goals;
  } finally {
    rmSync(WORK, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await runRuntimeBench(numberOption("runs", 5));
}
