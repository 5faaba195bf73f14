/** D: the size of the same order processor three ways, as each is deployed. */
import { type Goal, goalCell } from "../support/goal.js";
import type { Report } from "../support/report.js";
import type { BundledHandlers, SdkPackaging } from "./bundles.js";
import { kib, times } from "./format.js";

const GOAL_VS_POWERTOOLS = 0.6;

/** One table per packaging; the goal is judged on the construct's default packaging only. */
export function bundleSizeBench(
  packagings: readonly { packaging: SdkPackaging; handlers: BundledHandlers }[],
  report: Report,
): Goal[] {
  const goals: Goal[] = [];
  for (const { packaging, handlers } of packagings) {
    const { ours, powertools, seedStyle } = handlers;
    const limit = GOAL_VS_POWERTOOLS * powertools.codeBytes;
    const goal: Goal = {
      name: `D. bundle code <= ${GOAL_VS_POWERTOOLS}x Powertools`,
      met: ours.codeBytes <= limit,
      detail: `${kib(ours.codeBytes)} <= ${GOAL_VS_POWERTOOLS} x ${kib(powertools.codeBytes)} = ${kib(limit)}`,
    };
    if (packaging.judged) goals.push(goal);
    report.text(
      `D. Bundle size, ${packaging.label}: each handler built by bundleFunction (esbuild, minified CJS, node22); ` +
        `KiB = 1,024 bytes${packaging.judged ? `; goal: code at most ${GOAL_VS_POWERTOOLS}x the Powertools handler` : " (for reference: no goal)"}.`,
    );
    report.table(
      ["handler", "entry", "code", "zip", "code beyond seed-style", "code vs Powertools", "goal"],
      handlers.all.map((handler) => [
        handler.name,
        handler.entry,
        kib(handler.codeBytes),
        kib(handler.zipBytes),
        `${((handler.codeBytes - seedStyle.codeBytes) / 1024).toFixed(1)} KiB`,
        times(handler.codeBytes / powertools.codeBytes),
        handler === ours && packaging.judged ? goalCell(goal) : "",
      ]),
    );
  }
  return goals;
}
