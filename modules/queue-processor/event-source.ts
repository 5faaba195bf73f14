import { LambdaEventSourceMapping } from "@cdktf/provider-aws/lib/lambda-event-source-mapping/index.js";
import type { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function/index.js";
import type { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue/index.js";
import type { ITerraformDependable } from "cdktf";
import type { Construct } from "constructs";
import type { ResolvedConfig } from "./resolve.js";

/**
 * The mapping that polls the queue and invokes the function. Partial batch responses are always on:
 * without them one failed record replays the whole batch. It waits for the role's policy, so the
 * first poll never fails for lack of permission.
 */
export function createEventSourceMapping(
  scope: Construct,
  id: string,
  config: ResolvedConfig,
  queue: SqsQueue,
  fn: LambdaFunction,
  dependsOn: ITerraformDependable[],
): LambdaEventSourceMapping {
  const { eventSource, queue: queueConfig } = config;
  return new LambdaEventSourceMapping(scope, id, {
    eventSourceArn: queue.arn,
    functionName: fn.arn,
    batchSize: eventSource.batchSize,
    // FIFO mappings reject a batching window, even 0.
    ...(queueConfig.fifo ? {} : { maximumBatchingWindowInSeconds: eventSource.maxBatchingWindowSeconds }),
    functionResponseTypes: ["ReportBatchItemFailures"],
    ...(eventSource.maxConcurrency === undefined
      ? {}
      : { scalingConfig: { maximumConcurrency: eventSource.maxConcurrency } }),
    ...(eventSource.filterPatterns.length === 0
      ? {}
      : {
          filterCriteria: {
            filter: eventSource.filterPatterns.map((pattern) => ({ pattern: JSON.stringify(pattern) })),
          },
          // A filter deletes what it does not match without a trace; EventCount metrics publish
          // FilteredOutEventCount (and DroppedEventCount, ...), which the filteredOutEvents alarm watches.
          metricsConfig: { metrics: ["EventCount"] },
        }),
    enabled: true,
    dependsOn,
  });
}
