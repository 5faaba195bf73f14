import type { OrdersEnvironment, S3StateBackend } from "../stacks/orders-stack.js";

/** The body filter of seed 002: only the two order events reach the function. */
const ORDER_EVENTS_FILTER = [{ body: { type: ["order_created", "order_updated"] } }] as const;

/**
 * Where an environment's state lives: the deploy workflow names each environment's bucket in
 * QP_STATE_BUCKET_<ENV> (e.g. QP_STATE_BUCKET_PROD); without it, state stays on the local disk.
 */
function stateBackendFor(name: string, variables: NodeJS.ProcessEnv): S3StateBackend | undefined {
  const bucket = variables[`QP_STATE_BUCKET_${name.toUpperCase()}`];
  return bucket ? { bucket } : undefined;
}

/**
 * prod reproduces seed 002's values, its DLQ archived to S3; staging keeps prod's shape at a fifth of its concurrency; dev is
 * small and cheap and reserves no concurrency (new accounts have too little to reserve any).
 */
export function environments(variables: NodeJS.ProcessEnv = process.env): OrdersEnvironment[] {
  return BASE_ENVIRONMENTS.map((environment) => {
    const stateBackend = stateBackendFor(environment.name, variables);
    return stateBackend ? { ...environment, stateBackend } : environment;
  });
}

const BASE_ENVIRONMENTS: readonly OrdersEnvironment[] = [
  {
    name: "dev",
    region: "us-east-1",
    tableDeletionProtection: false,
    processor: {
      handler: { timeoutSeconds: 30, memorySizeMb: 256, logRetentionDays: 7, environment: { LOG_LEVEL: "DEBUG" } },
      queue: { retentionSeconds: 86_400, maxReceiveCount: 3 },
      eventSource: {
        batchSize: 10,
        maxBatchingWindowSeconds: 1,
        maxConcurrency: 2,
        filterPatterns: ORDER_EVENTS_FILTER,
      },
    },
  },
  {
    name: "staging",
    region: "us-east-1",
    tableDeletionProtection: false,
    processor: {
      handler: {
        timeoutSeconds: 50,
        memorySizeMb: 512,
        reservedConcurrency: 20,
        logRetentionDays: 14,
        environment: { LOG_LEVEL: "INFO" },
      },
      queue: { retentionSeconds: 345_600, maxReceiveCount: 3 },
      eventSource: {
        batchSize: 10,
        maxBatchingWindowSeconds: 5,
        maxConcurrency: 10,
        filterPatterns: ORDER_EVENTS_FILTER,
      },
    },
  },
  {
    name: "prod",
    region: "us-east-1",
    tableDeletionProtection: true,
    processor: {
      handler: {
        timeoutSeconds: 50,
        memorySizeMb: 512,
        reservedConcurrency: 100,
        logRetentionDays: 90,
        environment: { LOG_LEVEL: "INFO" },
      },
      queue: { visibilityTimeoutSeconds: 300, retentionSeconds: 1_209_600, maxReceiveCount: 3 },
      eventSource: {
        batchSize: 10,
        maxBatchingWindowSeconds: 5,
        maxConcurrency: 50,
        filterPatterns: ORDER_EVENTS_FILTER,
      },
      alarms: {
        queueDepth: { threshold: 1000, periodSeconds: 300, evaluationPeriods: 2 },
        deadLetterQueueNotEmpty: { threshold: 0, periodSeconds: 60, evaluationPeriods: 1 },
        functionErrors: { threshold: 10, periodSeconds: 300, evaluationPeriods: 2 },
      },
      // Seed 002 stores each dead letter in S3 and alerts; dev and staging keep theirs in the DLQ.
      deadLetters: { mode: "archive" },
    },
  },
];

export const ENVIRONMENTS: readonly OrdersEnvironment[] = environments();
