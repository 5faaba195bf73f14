import { createWriteStream, mkdirSync, type WriteStream } from "node:fs";
import path from "node:path";
import type { InvocationInfo } from "../../functions/runtime/poller/index.js";
import type { RunCounters } from "./run-progress.js";

/** What a run learns from its function: invocations, filtered messages and log lines. */
export interface RunObserver {
  readonly counters: RunCounters;
  readonly outcomes: Record<InvocationInfo["outcome"], number>;
  /** Each invocation's duration, in ms. */
  readonly invocationTimes: number[];
  /** The function's outcome lines (those naming a correlation id), parsed. */
  readonly outcomeLogs: Record<string, unknown>[];
  onInvocation(info: InvocationInfo): void;
  onFiltered(count: number): void;
  onFunctionOutput(line: string): void;
  /** Flushes the log file. */
  close(): Promise<void>;
}

/** Every line the function writes goes to `functionLogFile` (when given), as CloudWatch Logs would keep it. */
export function createRunObserver(functionLogFile?: string): RunObserver {
  let file: WriteStream | undefined;
  if (functionLogFile) {
    mkdirSync(path.dirname(functionLogFile), { recursive: true });
    file = createWriteStream(functionLogFile);
  }
  const observer: RunObserver = {
    counters: { processed: 0, retried: 0, filtered: 0 },
    outcomes: { ok: 0, partial: 0, error: 0, timeout: 0, "invalid-response": 0 },
    invocationTimes: [],
    outcomeLogs: [],
    onInvocation(info) {
      observer.invocationTimes.push(info.durationMs);
      observer.outcomes[info.outcome] += 1;
      observer.counters.processed += info.records - info.failed;
      observer.counters.retried += info.failed;
    },
    onFiltered(count) {
      observer.counters.filtered += count;
    },
    onFunctionOutput(line) {
      file?.write(`${line}\n`);
      // Only outcome lines feed the reconciliation; parsing every metrics document would cost more.
      if (line.startsWith("{") && line.includes('"correlationId"'))
        observer.outcomeLogs.push(JSON.parse(line) as Record<string, unknown>);
    },
    close: () => new Promise<void>((resolve) => (file ? file.end(resolve) : resolve())),
  };
  return observer;
}
