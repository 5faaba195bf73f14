/**
 * One measurement, in a process of its own so that its peak memory is the check's alone:
 *
 *   node --import tsx bench/policy/measure.ts <plan.json>
 *
 * prints one JSON line: seconds to read and parse the file, seconds of checkPlan, the findings, and the
 * process's resident memory before reading and at its peak.
 */
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { checkPlan } from "../../review/policy/index.js";

const file = process.argv[2];
if (file === undefined) throw new Error("usage: measure.ts <plan.json>");
const baselineRssBytes = process.memoryUsage().rss;
const start = performance.now();
const plan: unknown = JSON.parse(readFileSync(file, "utf8"));
const parsed = performance.now();
const findings = checkPlan(plan);
const checked = performance.now();
console.log(
  JSON.stringify({
    parseSeconds: (parsed - start) / 1000,
    checkSeconds: (checked - parsed) / 1000,
    findings: findings.length,
    blocking: findings.filter((finding) => finding.severity === "blocking").length,
    baselineRssBytes,
    // maxRSS is in kilobytes.
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
  }),
);
