/**
 * A and B: one batch of 10 records whose handler awaits 20 ms of I/O. A library that runs records
 * concurrently takes about one I/O; a sequential loop takes ten.
 */
import type { Context, SQSEvent } from "aws-lambda";
import { type Goal, goalCell } from "../support/goal.js";
import type { Report } from "../support/report.js";
import { spread } from "../support/stats.js";
import type { Implementations } from "./bundles.js";
import { sleep, sqsEvent } from "./events.js";
import { ms, times } from "./format.js";
import { type BatchHandler, expectAllSucceeded, type Implementation } from "./implementation.js";

const IO_MS = 20;
const GOAL_FACTOR = 1.3;

/** Every implementation once per sample, in an order rotated each sample, after one unmeasured run each. */
async function timeBatches(
  implementations: readonly Implementation[],
  samples: number,
  makeEvent: () => SQSEvent,
  context: Context,
): Promise<Map<Implementation, number[]>> {
  const handlers = new Map<Implementation, BatchHandler>(
    implementations.map((implementation) => [implementation, implementation.handler(() => sleep(IO_MS))]),
  );
  const elapsed = new Map(implementations.map((implementation) => [implementation, [] as number[]]));
  for (let sample = -1; sample < samples; sample++) {
    for (let i = 0; i < implementations.length; i++) {
      const implementation = implementations[(i + Math.max(sample, 0)) % implementations.length];
      const handler = implementation && handlers.get(implementation);
      if (!implementation || !handler) throw new Error("no implementation at this position");
      const event = makeEvent();
      const start = performance.now();
      const response = await handler(event, context);
      const batchMs = performance.now() - start;
      expectAllSucceeded(response, implementation.name);
      if (sample >= 0) elapsed.get(implementation)?.push(batchMs);
    }
  }
  return elapsed;
}

async function ioCase(
  implementations: Implementations,
  label: string,
  samples: number,
  makeEvent: () => SQSEvent,
  context: Context,
  report: Report,
): Promise<Goal> {
  const elapsed = await timeBatches(implementations.all, samples, makeEvent, context);
  const limit = GOAL_FACTOR * IO_MS;
  const oursMedian = spread(elapsed.get(implementations.ours) ?? []).median;
  const goal: Goal = {
    name: `${label}: batch <= ${GOAL_FACTOR}x one I/O`,
    met: oursMedian <= limit,
    detail: `${ms(oursMedian)} <= ${ms(limit)} ms`,
  };
  report.text(
    `${label}, each awaiting ${IO_MS} ms of I/O (setTimeout): batch time in ms over ${samples} batches each after 1 warm-up; ` +
      `goal: at most ${GOAL_FACTOR}x one I/O.`,
  );
  report.table(
    ["implementation", "median", "min", "max", "x one record's I/O", "goal"],
    implementations.all.map((implementation) => {
      const values = spread(elapsed.get(implementation) ?? []);
      return [
        implementation.name,
        ms(values.median),
        ms(values.min),
        ms(values.max),
        times(values.median / IO_MS),
        implementation === implementations.ours ? goalCell(goal) : "",
      ];
    }),
  );
  return goal;
}

export async function ioLatencyBench(
  implementations: Implementations,
  samples: number,
  context: Context,
  report: Report,
): Promise<Goal[]> {
  return [
    await ioCase(implementations, "A. 10 standard records", samples, () => sqsEvent(10), context, report),
    await ioCase(
      implementations,
      "B. 10 FIFO records in 10 groups",
      samples,
      () => sqsEvent(10, { groups: 10 }),
      context,
      report,
    ),
  ];
}
