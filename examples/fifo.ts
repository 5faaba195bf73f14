/** A FIFO pipeline: FIFO work queue and DLQ, high-throughput mode, batches of 10 (FIFO's maximum). */

import { AwsProvider } from "@cdktf/provider-aws/lib/provider/index.js";
import { QueueProcessor, synthesizeApp } from "@queue-processor/construct";
import { TerraformStack } from "cdktf";

process.exitCode = synthesizeApp((app) => {
  const stack = new TerraformStack(app, "fifo");
  new AwsProvider(stack, "aws", { region: "eu-west-1" });
  new QueueProcessor(stack, "ledger", {
    name: "ledger",
    handler: { entry: "examples/handlers/audit-log.ts", timeoutSeconds: 20 },
    queue: { fifo: true, maxReceiveCount: 5 },
    eventSource: { batchSize: 10, maxConcurrency: 5 },
  });
});
