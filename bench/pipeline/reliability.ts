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
import { type Goal, verdict } from "../support/goal.js";
import type { Report } from "../support/report.js";
import { type CpuTime, cpuTime } from "./cpu.js";

/**
 * The reliability suite at full size: `npm test` runs the same scenarios at a size that fits CI.
 * The load runs alone (it is what the throughput means); the fault scenarios mostly wait out
 * outages and backoff, so they run side by side.
 */
export async function runReliabilityBench(
  loadCount: number,
  faultCount: number,
  report: Report,
): Promise<{ load: ScenarioReport; loadCpu?: CpuTime; goals: Goal[] }> {
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
  const scenarios: ScenarioReport[] = [load, ...faults];
  const goals = scenarios.map(
    (scenario): Goal => ({
      name: `${scenario.scenario}: nothing lost or duplicated, reconciled`,
      met:
        scenario.reconciliation.lost === 0 &&
        scenario.reconciliation.duplicatedEffects === 0 &&
        scenario.reconciliation.ok,
      detail: `${scenario.reconciliation.lost} lost, ${scenario.reconciliation.duplicatedEffects} duplicated, ${scenario.reconciliation.ok ? "reconciled" : "NOT reconciled (see the suite's own checks)"}`,
    }),
  );
  report.text(
    `The reliability scenarios: the load at ${loadCount.toLocaleString("en-US")} messages alone, then each fault at ` +
      `${faultCount.toLocaleString("en-US")} side by side; goal: nothing lost, no duplicated effect, the table equal to the orders sent.`,
  );
  report.table(
    ["scenario", "stack", "messages", "lost", "duplicated effects", "DLQ'd", "retries", "wall s", "msg/s", "goal"],
    scenarios.map((scenario, index) => [
      scenario.scenario,
      scenario.environment,
      scenario.messages.toLocaleString("en-US"),
      String(scenario.reconciliation.lost),
      String(scenario.reconciliation.duplicatedEffects),
      String(scenario.reconciliation.deadLettered),
      String(scenario.retries),
      (scenario.wallMs / 1000).toFixed(1),
      scenario.messagesPerSecond.toFixed(0),
      verdict(goals[index]?.met ?? false),
    ]),
  );
  return {
    load,
    goals,
    ...(before && after
      ? { loadCpu: { own: after.own - before.own, children: after.children - before.children } }
      : {}),
  };
}
