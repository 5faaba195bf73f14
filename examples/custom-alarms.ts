/** Alarms tuned to a team's traffic: a tighter queue depth, a slower error alarm, throttles off. */

import { AwsProvider } from "@cdktf/provider-aws/lib/provider/index.js";
import { QueueProcessor, synthesizeApp } from "@queue-processor/construct";
import { TerraformStack } from "cdktf";

process.exitCode = synthesizeApp((app) => {
  const stack = new TerraformStack(app, "custom-alarms");
  new AwsProvider(stack, "aws", { region: "eu-west-1" });
  new QueueProcessor(stack, "payments", {
    name: "payments",
    handler: { entry: "examples/handlers/audit-log.ts", reservedConcurrency: 20 },
    eventSource: { maxConcurrency: 10 },
    alarms: {
      queueDepth: { threshold: 50, periodSeconds: 60, evaluationPeriods: 3 },
      functionErrors: { threshold: 1, periodSeconds: 900, evaluationPeriods: 1 },
      functionThrottles: false,
    },
  });
});
