import { describe, expect, it } from "vitest";
import type { QueueProcessorProps } from "../../../modules/index.js";
import { checkQueueProcessorProps, QueueProcessorConfigError } from "../../../modules/index.js";

/** Values no numeric setting accepts, and how the error shows each. */
const ODD_VALUES: readonly [unknown, string][] = [
  [Number.NaN, "NaN"],
  [Number.POSITIVE_INFINITY, "Infinity"],
  [Number.NEGATIVE_INFINITY, "-Infinity"],
  [30n, "30n"],
  ["30", '"30"'],
  [{ seconds: 30 }, '{"seconds":30}'],
  [[30], "[30]"],
  [function timeout() {}, "function timeout"],
  [Symbol("thirty"), "Symbol(thirty)"],
  [true, "true"],
  [30.5, "30.5"],
];

const NUMERIC_PATHS = [
  "handler.timeoutSeconds",
  "handler.memorySizeMb",
  "handler.reservedConcurrency",
  "handler.logRetentionDays",
  "queue.visibilityTimeoutSeconds",
  "queue.retentionSeconds",
  "queue.deadLetterRetentionSeconds",
  "queue.maxReceiveCount",
  "queue.maxMessageSizeBytes",
  "queue.receiveWaitTimeSeconds",
  "queue.deliveryDelaySeconds",
  "eventSource.batchSize",
  "eventSource.maxBatchingWindowSeconds",
  "eventSource.maxConcurrency",
  "alarms.queueDepth.threshold",
  "alarms.functionErrors.periodSeconds",
  "alarms.oldestMessageAge.evaluationPeriods",
  "alarms.filteredOutEvents.threshold",
  "deadLetters.expireAfterDays",
  "deadLetters.archiver.timeoutSeconds",
  "deadLetters.archiver.memorySizeMb",
  "deadLetters.archiver.logRetentionDays",
];

/** Every setting, numeric or not; odd values in these may be accepted (null is "not set") but never crash. */
const ALL_PATHS = [
  ...NUMERIC_PATHS,
  "handler.architecture",
  "handler.environment",
  "handler.entry",
  "handler.bundleAwsSdk",
  "queue.fifo",
  "queue.kmsKeyArn",
  "eventSource.filterPatterns",
  "alarms",
  "alarms.topicArn",
  "alarms.queueDepth",
  "tags",
  "name",
  "deadLetters",
  "deadLetters.mode",
  "deadLetters.bucket",
  "deadLetters.bucket.name",
  "deadLetters.bucket.arn",
  "deadLetters.prefix",
  "deadLetters.archiver",
  "deadLetters.archiver.entry",
];

function propsWith(path: string, value: unknown): QueueProcessorProps {
  const props: Record<string, unknown> = { name: "orders", handler: { entry: "functions/order-processor/handler.ts" } };
  // A setting of archive mode is judged only in archive mode.
  if (path.startsWith("deadLetters.") && path !== "deadLetters.mode") props.deadLetters = { mode: "archive" };
  const keys = path.split(".");
  let target = props;
  for (const key of keys.slice(0, -1)) {
    target[key] = { ...((target[key] as object | undefined) ?? {}) };
    target = target[key] as Record<string, unknown>;
  }
  target[keys.at(-1)!] = value;
  return props as unknown as QueueProcessorProps;
}

function errorFor(path: string, value: unknown): QueueProcessorConfigError | undefined {
  try {
    checkQueueProcessorProps(propsWith(path, value));
    return undefined;
  } catch (error) {
    if (error instanceof QueueProcessorConfigError) return error;
    throw new Error(`${path} = ${String(value)} threw ${String(error)} instead of a QueueProcessorConfigError`);
  }
}

describe("checkQueueProcessorProps with odd values", () => {
  for (const path of NUMERIC_PATHS) {
    it(`refuses a ${path} that is no whole number, showing the value as typed`, () => {
      for (const [value, shown] of ODD_VALUES) {
        // The threshold is the one setting that takes a fraction.
        if (path.endsWith(".threshold") && value === 30.5) continue;
        const issue = errorFor(path, value)?.issues.find((found) => found.path === path);
        expect(issue?.message, `${path} = ${shown}`).toContain(`(got ${shown})`);
      }
    });
  }

  for (const path of ALL_PATHS) {
    it(`answers any value of ${path} with a config error or acceptance, never a raw exception`, () => {
      for (const value of [...ODD_VALUES.map(([odd]) => odd), null, -0, "", [], {}]) errorFor(path, value);
    });
  }

  it("refuses a filter pattern that cannot be written as JSON, instead of failing in the synth", () => {
    const cycle: Record<string, unknown> = { type: ["a"] };
    cycle.self = cycle;
    for (const body of [{ n: [1n] }, cycle]) {
      const error = errorFor("eventSource.filterPatterns", [{ body }]);
      expect(error?.codes).toEqual(["filter-pattern-invalid"]);
      expect(error?.issues[0]?.message).toMatch(
        /^eventSource\.filterPatterns\[0\] must be plain JSON: no cycles, no BigInt values \(got /,
      );
    }
  });

  it("refuses props that are no object at all", () => {
    for (const value of [undefined, null, "orders", 5, []]) {
      let thrown: unknown;
      try {
        checkQueueProcessorProps(value as unknown as QueueProcessorProps);
      } catch (caught) {
        thrown = caught;
      }
      expect(thrown).toBeInstanceOf(QueueProcessorConfigError);
      expect((thrown as QueueProcessorConfigError).codes).toEqual(["props-invalid"]);
    }
  });
});
