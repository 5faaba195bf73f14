import { readFileSync } from "node:fs";
import path from "node:path";

/** One test file's figures from vitest's JSON reporter. */
export interface FileDuration {
  /** Relative to the project. */
  readonly file: string;
  readonly ms: number;
  readonly tests: number;
}

/** The part of vitest's JSON report (the Jest-compatible shape) that the suite benchmark reads. */
interface VitestJson {
  readonly success?: unknown;
  readonly numTotalTests?: unknown;
  readonly testResults?: readonly {
    readonly name?: unknown;
    readonly startTime?: unknown;
    readonly endTime?: unknown;
    readonly assertionResults?: readonly unknown[];
  }[];
}

/**
 * Per-file durations (vitest's own: the file's tests and hooks, endTime - startTime) from the report
 * written by `--reporter=json --outputFile=<file>`. A report that is not there or not the expected
 * shape fails the run: a benchmark of a suite that did not run measures nothing.
 */
export function readVitestJson(
  file: string,
  project: string,
): { success: boolean; tests: number; files: FileDuration[] } {
  const report = JSON.parse(readFileSync(file, "utf8")) as VitestJson;
  if (!Array.isArray(report.testResults) || typeof report.numTotalTests !== "number") {
    throw new Error(`${file} is not a vitest JSON report (no testResults or numTotalTests)`);
  }
  const files = report.testResults.map((result): FileDuration => {
    const { name, startTime, endTime } = result;
    if (typeof name !== "string" || typeof startTime !== "number" || typeof endTime !== "number") {
      throw new Error(`${file}: a test result lacks its name, startTime or endTime`);
    }
    return { file: path.relative(project, name), ms: endTime - startTime, tests: result.assertionResults?.length ?? 0 };
  });
  return { success: report.success === true, tests: report.numTotalTests, files };
}
