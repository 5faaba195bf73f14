/**
 * C: CPU per record without I/O. A no-op handler leaves each implementation's own cost; the seeds'
 * parse-and-check work is what every real handler adds on top.
 */
import type { Context } from "aws-lambda";
import { type Goal, goalCell } from "../support/goal.js";
import type { Report } from "../support/report.js";
import { median } from "../support/stats.js";
import type { Implementations } from "./bundles.js";
import { sqsEvent } from "./events.js";
import { us } from "./format.js";
import { expectAllSucceeded, type Implementation, type RecordWork } from "./implementation.js";

const GOAL_VS_SEED = 1.5;

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

interface Workload {
  readonly name: string;
  readonly batches: number;
  readonly size: number;
  readonly work: RecordWork;
}

const WORKLOADS: readonly Workload[] = [
  { name: "no-op handler, 2,000 batches x 10", batches: 2000, size: 10, work: noop },
  { name: "no-op handler, 1 batch x 10,000", batches: 1, size: 10_000, work: noop },
  { name: "JSON.parse + field checks, 2,000 x 10", batches: 2000, size: 10, work: parseOrder },
];

/** Median µs per record of the workload over `rounds` rounds after one warm-up, implementations interleaved. */
async function cpuPerRecord(
  implementations: readonly Implementation[],
  rounds: number,
  workload: Workload,
  context: Context,
): Promise<Map<Implementation, number>> {
  const events = Array.from({ length: workload.batches }, (_, batch) =>
    sqsEvent(workload.size, { prefix: `b${batch}` }),
  );
  const runs = implementations.map((implementation) => ({
    implementation,
    handler: implementation.handler(workload.work),
    perRecord: [] as number[],
  }));
  for (let round = -1; round < rounds; round++) {
    for (let i = 0; i < runs.length; i++) {
      const run = runs[(i + Math.max(round, 0)) % runs.length];
      if (!run) throw new Error("no implementation at this position");
      const start = performance.now();
      for (const event of events) {
        const response = await run.handler(event, context);
        if (response.batchItemFailures.length > 0) expectAllSucceeded(response, run.implementation.name);
      }
      const elapsed = performance.now() - start;
      if (round >= 0) run.perRecord.push((elapsed * 1000) / (workload.batches * workload.size));
    }
  }
  return new Map(runs.map((run) => [run.implementation, median(run.perRecord)]));
}

export async function cpuPerRecordBench(
  implementations: Implementations,
  rounds: number,
  context: Context,
  report: Report,
): Promise<Goal[]> {
  const goals: Goal[] = [];
  const rows: string[][] = [];
  let noopPerBatch: string[] = [];
  for (const workload of WORKLOADS) {
    const values = await cpuPerRecord(implementations.all, rounds, workload, context);
    const of = (implementation: Implementation) => values.get(implementation) ?? Number.NaN;
    const [mine, theirs, seed] = [
      of(implementations.ours),
      of(implementations.powertools),
      of(implementations.seedLoop),
    ];
    const seedLimit = GOAL_VS_SEED * seed;
    const vsPowertools: Goal = {
      name: `C. CPU ${workload.name}: ours <= Powertools`,
      met: mine <= theirs,
      detail: `${us(mine)} <= ${us(theirs)} µs/record`,
    };
    const vsSeed: Goal = {
      name: `C. CPU ${workload.name}: ours <= ${GOAL_VS_SEED} x seed`,
      met: mine <= seedLimit,
      detail: `${us(mine)} <= ${GOAL_VS_SEED} x ${us(seed)} = ${us(seedLimit)}`,
    };
    goals.push(vsPowertools, vsSeed);
    rows.push([workload.name, us(mine), us(theirs), us(seed), goalCell(vsPowertools), goalCell(vsSeed)]);
    if (workload === WORKLOADS[0])
      noopPerBatch = [mine, theirs, seed].map((value) => (value * workload.size).toFixed(1));
  }
  rows.push(["(no-op, 2,000 x 10: µs per batch)", ...noopPerBatch, "", ""]);
  report.text(
    `C. CPU per record without I/O, µs: median of ${rounds} rounds after 1 warm-up, implementations interleaved; ` +
      "ours with metrics: false, a logger at ERROR (no stdout write per batch) and the default concurrency of 10. " +
      `Goals: no more than Powertools; within ${GOAL_VS_SEED}x of the seed loop.`,
  );
  report.table(
    [
      "workload",
      ...implementations.all.map((implementation) => implementation.name),
      "goal: ours <= Powertools",
      `goal: ours <= ${GOAL_VS_SEED} x seed`,
    ],
    rows,
  );
  return goals;
}
