/**
 * Alarms into a topic the platform team already runs (e.g. wired to a pager), and a table of the
 * team's own that the function may write: the construct creates no topic.
 */

import { DynamodbTable } from "@cdktf/provider-aws/lib/dynamodb-table/index.js";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider/index.js";
import { QueueProcessor, synthesizeApp } from "@queue-processor/construct";
import { TerraformStack } from "cdktf";

process.exitCode = synthesizeApp((app) => {
  const stack = new TerraformStack(app, "existing-topic");
  new AwsProvider(stack, "aws", { region: "eu-west-1" });
  const table = new DynamodbTable(stack, "shipments", {
    name: "shipments",
    billingMode: "PAY_PER_REQUEST",
    hashKey: "pk",
    attribute: [{ name: "pk", type: "S" }],
    pointInTimeRecovery: { enabled: true },
  });
  const processor = new QueueProcessor(stack, "shipments-processor", {
    name: "shipments",
    handler: { entry: "examples/handlers/audit-log.ts", environment: { TABLE_NAME: table.name } },
    alarms: { topicArn: "arn:aws:sns:eu-west-1:123456789012:platform-pager" },
  });
  processor.addToRolePolicy({ sid: "WriteShipments", actions: ["dynamodb:PutItem"], resources: [table.arn] });
});
