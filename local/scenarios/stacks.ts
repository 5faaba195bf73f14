import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { App } from "cdktf";
import { ENVIRONMENTS } from "../../config/environments.js";
import { onExit } from "../../scripts/exit-cleanup.js";
import { type OrdersEnvironment, OrdersStack } from "../../stacks/orders-stack.js";

/** The dev stack as deployed. */
export const DEV = "dev";

/**
 * dev with a 3 s function timeout and a 5 s visibility timeout, everything else as dev (filter, batch
 * size, window, concurrency, maxReceiveCount 3). On dev a killed invocation's batch, or a poison
 * message whose DLQ send failed, comes back only after the queue's visibility timeout: 181 s
 * (6 x 30 s + the 1 s window), far beyond a CI run. This stack exercises the same paths in seconds.
 */
export const FAST_RETRY = "dev-fast-retry";
export const FAST_RETRY_TIMEOUT_SECONDS = 3;
export const FAST_RETRY_VISIBILITY_TIMEOUT_SECONDS = 5;

function fastRetryEnvironment(): OrdersEnvironment {
  const dev = ENVIRONMENTS.find((environment) => environment.name === DEV);
  if (!dev) throw new Error("config/environments.ts has no dev environment");
  return {
    ...dev,
    name: FAST_RETRY,
    processor: {
      ...dev.processor,
      handler: { ...dev.processor.handler, timeoutSeconds: FAST_RETRY_TIMEOUT_SECONDS },
      queue: { ...dev.processor.queue, visibilityTimeoutSeconds: FAST_RETRY_VISIBILITY_TIMEOUT_SECONDS },
    },
  };
}

/**
 * dev with a FIFO queue pair: one order's events in order, groups (orders) in parallel. No batching
 * window: Lambda supports none on FIFO queues (the construct refuses one).
 */
export const FIFO = "dev-fifo";

function fifoEnvironment(): OrdersEnvironment {
  const dev = ENVIRONMENTS.find((environment) => environment.name === DEV);
  if (!dev) throw new Error("config/environments.ts has no dev environment");
  return {
    ...dev,
    name: FIFO,
    processor: {
      ...dev.processor,
      queue: { ...dev.processor.queue, fifo: true },
      eventSource: { ...dev.processor.eventSource, maxBatchingWindowSeconds: 0 },
    },
  };
}

/**
 * Synthesizes dev, dev-fast-retry and dev-fifo (the real construct, bundling included) into `outdir`:
 * runLocal's `outdir` for every scenario.
 */
export function synthesizeReliabilityStacksInto(outdir: string): void {
  const app = new App({ outdir, stackTraces: false });
  const environments = [devEnvironment(), fastRetryEnvironment(), fifoEnvironment()];
  for (const environment of environments) new OrdersStack(app, environment);
  app.synth();
}

let synthesized: string | undefined;

/**
 * The reliability stacks in a temporary folder, synthesized once per process and removed when the
 * process exits: the default of every scenario that is given no `outdir`.
 */
export function synthesizeReliabilityStacks(): string {
  if (synthesized) return synthesized;
  const outdir = mkdtempSync(path.join(tmpdir(), "qp-reliability-synth-"));
  // However the process ends, Ctrl-C and SIGTERM included.
  onExit(() => rmSync(outdir, { recursive: true, force: true }));
  synthesizeReliabilityStacksInto(outdir);
  synthesized = outdir;
  return outdir;
}

function devEnvironment(): OrdersEnvironment {
  const dev = ENVIRONMENTS.find((environment) => environment.name === DEV);
  if (!dev) throw new Error(`config/environments.ts has no "${DEV}" environment for the reliability stacks`);
  return dev;
}
