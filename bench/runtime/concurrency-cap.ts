/** F: a large batch with a concurrency limit: how many records are in flight at once. */
import type { Context } from "aws-lambda";
import { type Goal, goalCell } from "../support/goal.js";
import type { Report } from "../support/report.js";
import { median } from "../support/stats.js";
import type { Implementations } from "./bundles.js";
import { sleep, sqsEvent } from "./events.js";
import { ms } from "./format.js";
import { expectAllSucceeded, type Implementation, type RecordWork } from "./implementation.js";

const RECORDS = 1000;
const CONCURRENCY = 16;
const IO_MS = 2;

interface Observed {
  readonly maxInFlight: number;
  readonly batchMs: readonly number[];
}

async function observe(implementation: Implementation, samples: number, context: Context): Promise<Observed> {
  const batchMs: number[] = [];
  let maxInFlight = 0;
  for (let sample = 0; sample < samples; sample++) {
    let inFlight = 0;
    const work: RecordWork = async () => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await sleep(IO_MS);
      inFlight--;
    };
    const handler = implementation.handler(work, { concurrency: CONCURRENCY });
    const start = performance.now();
    const response = await handler(sqsEvent(RECORDS), context);
    batchMs.push(performance.now() - start);
    expectAllSucceeded(response, implementation.name);
  }
  return { maxInFlight, batchMs };
}

export async function concurrencyCapBench(
  implementations: Implementations,
  samples: number,
  context: Context,
  report: Report,
): Promise<Goal[]> {
  const { ours, powertools, seedLoop } = implementations;
  const limits = new Map([
    [ours, String(CONCURRENCY)],
    [powertools, "none (all at once)"],
    [seedLoop, "1 (sequential)"],
  ]);
  const rows: string[][] = [];
  let goal: Goal | undefined;
  for (const implementation of implementations.all) {
    // The seed loop runs one record at a time: one sample says all there is, in ~1,000 x the I/O time.
    const observed = await observe(implementation, implementation === seedLoop ? 1 : samples, context);
    if (implementation === ours) {
      goal = {
        name: `F. at most ${CONCURRENCY} records in flight`,
        met: observed.maxInFlight <= CONCURRENCY,
        detail: `max ${observed.maxInFlight} <= ${CONCURRENCY}`,
      };
    }
    rows.push([
      implementation.name,
      limits.get(implementation) ?? "",
      String(observed.maxInFlight),
      ms(median(observed.batchMs)),
      String(observed.batchMs.length),
      implementation === ours && goal ? goalCell(goal) : "",
    ]);
  }
  if (!goal) throw new Error("ours was not measured");
  report.text(
    `F. ${RECORDS.toLocaleString("en-US")} standard records, each awaiting ${IO_MS} ms, ours with \`concurrency: ${CONCURRENCY}\` ` +
      "(also asserted in `test/functions/runtime/concurrency.test.ts`).",
  );
  report.table(["implementation", "limit", "max in flight", "batch ms (median)", "batches", "goal"], rows);
  return [goal];
}
