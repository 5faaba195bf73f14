import {
  consumerKillScenario,
  deadLetterQueueOutageScenario,
  edgeInputScenario,
  fifoLoadScenario,
  functionTimeoutScenario,
  loadScenario,
  type ScenarioReport,
  tableOutageScenario,
} from "../../local/scenarios/index.js";
import { printTable } from "../support/table.js";
import { type CpuTime, cpuTime } from "./cpu.js";

/**
 * The reliability suite at full size: `npm test` runs the same scenarios at a size that fits CI.
 * The load runs alone (it is what the throughput means); the fault scenarios mostly wait out
 * outages and backoff, so they run side by side.
 */
export async function runReliabilityBench(
  loadCount: number,
  faultCount: number,
): Promise<{ load: ScenarioReport; loadCpu?: CpuTime }> {
  console.log(
    `\n## Reliability suite at full size: load ${loadCount.toLocaleString("en-US")}, each fault ${faultCount.toLocaleString("en-US")}\n`,
  );
  const before = cpuTime();
  const load = await loadScenario({ count: loadCount });
  const after = cpuTime();
  const faults = await Promise.all([
    tableOutageScenario({ count: faultCount }),
    deadLetterQueueOutageScenario({ count: faultCount }),
    functionTimeoutScenario({ count: faultCount }),
    consumerKillScenario({ count: faultCount }),
    fifoLoadScenario({ count: faultCount }),
    edgeInputScenario({ count: 50 }),
  ]);
  const reports: ScenarioReport[] = [load, ...faults];
  printTable(
    [
      "scenario",
      "stack",
      "messages",
      "lost",
      "duplicated effects",
      "DLQ'd",
      "retries",
      "wall s",
      "msg/s",
      "reconciled",
    ],
    reports.map((report) => [
      report.scenario,
      report.environment,
      report.messages.toLocaleString("en-US"),
      String(report.reconciliation.lost),
      String(report.reconciliation.duplicatedEffects),
      String(report.reconciliation.deadLettered),
      String(report.retries),
      (report.wallMs / 1000).toFixed(1),
      report.messagesPerSecond.toFixed(0),
      report.reconciliation.ok ? "ok" : "NOT OK (see the suite's own checks)",
    ]),
  );
  return {
    load,
    ...(before && after
      ? { loadCpu: { own: after.own - before.own, children: after.children - before.children } }
      : {}),
  };
}
