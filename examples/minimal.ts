/** The least a team writes: a name and a handler; every other setting is a documented default. */

import { AwsProvider } from "@cdktf/provider-aws/lib/provider/index.js";
import { QueueProcessor, synthesizeApp } from "@queue-processor/construct";
import { TerraformStack } from "cdktf";

process.exitCode = synthesizeApp((app) => {
  const stack = new TerraformStack(app, "minimal");
  new AwsProvider(stack, "aws", { region: "eu-west-1" });
  new QueueProcessor(stack, "audit", {
    name: "audit-log",
    handler: { entry: "examples/handlers/audit-log.ts" },
  });
});
