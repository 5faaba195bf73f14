import { DynamodbTable } from "@cdktf/provider-aws/lib/dynamodb-table/index.js";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider/index.js";
import type { AlarmKind, HandlerProps, QueueProcessorProps } from "@queue-processor/construct";
import { AWS_PROVIDER_VERSION_RANGE, QueueProcessor, QueueProcessorConfigError } from "@queue-processor/construct";
import { LocalBackend, S3Backend, TerraformOutput, TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import { ORDERS_METRICS_NAMESPACE } from "../functions/order-processor/metrics-namespace.js";
import { ordersEnvironmentIssues } from "./orders-environment-rules.js";

export const ORDER_PROCESSOR_ENTRY = "functions/order-processor/handler.ts";

/** Where an environment keeps its Terraform state when not on the local disk. */
export interface S3StateBackend {
  readonly bucket: string;
  /** @default - the environment's region */
  readonly region?: string;
}

/** Everything that differs between dev, staging and prod. */
export interface OrdersEnvironment {
  readonly name: string;
  readonly region: string;
  /**
   * Remote state in S3 with Terraform's native lock file (no DynamoDB lock table).
   * @default - local state in `terraform.<name>.tfstate` at the project root
   */
  readonly stateBackend?: S3StateBackend;
  /** Refuse to delete the orders table (on in prod: a deleted table is lost orders). */
  readonly tableDeletionProtection: boolean;
  /** The order processor's settings; its name and code entry are the stack's. */
  readonly processor: Omit<QueueProcessorProps, "name" | "handler"> & {
    readonly handler: Omit<HandlerProps, "entry">;
  };
}

/**
 * The orders pipeline of one environment: a QueueProcessor running the order-processor function,
 * and the orders table it writes, with the function allowed only the item actions it makes.
 */
export class OrdersStack extends TerraformStack {
  readonly processor: QueueProcessor;
  readonly table: DynamodbTable;

  constructor(scope: Construct, environment: OrdersEnvironment) {
    const issues = ordersEnvironmentIssues(environment);
    if (issues.length > 0) throw new QueueProcessorConfigError(String(environment.name), issues, "orders environment");
    super(scope, environment.name);
    const service = "orders";

    new AwsProvider(this, "aws", {
      region: environment.region,
      defaultTags: [{ tags: { environment: environment.name, service, "managed-by": "cdktf" } }],
    });
    this.addOverride("terraform.required_providers.aws.version", AWS_PROVIDER_VERSION_RANGE);
    configureBackend(this, environment);

    this.table = new DynamodbTable(this, "orders-table", {
      name: `${service}-${environment.name}`,
      billingMode: "PAY_PER_REQUEST",
      hashKey: "pk",
      rangeKey: "sk",
      attribute: [
        { name: "pk", type: "S" },
        { name: "sk", type: "S" },
      ],
      pointInTimeRecovery: { enabled: true },
      serverSideEncryption: { enabled: true },
      deletionProtectionEnabled: environment.tableDeletionProtection,
    });

    const { handler, ...rest } = environment.processor;
    this.processor = new QueueProcessor(this, "order-processor", {
      ...rest,
      name: `${service}-${environment.name}`,
      handler: {
        ...handler,
        entry: ORDER_PROCESSOR_ENTRY,
        environment: { ...handler.environment, TABLE_NAME: this.table.name },
      },
    });
    // Conditional put (create) and update; GetItem tells a stale update from an early one when the
    // update's condition fails and DynamoDB returns no item.
    this.processor.addToRolePolicy({
      sid: "ApplyOrderEvents",
      actions: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"],
      resources: [this.table.arn],
    });

    const { processor } = this;
    const archive = processor.deadLetterArchive;
    // What `npm run ops` resolves a deployed environment from (`terraform output -json`).
    const outputs: Record<string, string | string[] | undefined> = {
      environment: environment.name,
      region: environment.region,
      queue_url: processor.queue.url,
      queue_arn: processor.queue.arn,
      queue_name: processor.queue.name,
      dead_letter_queue_url: processor.deadLetterQueue.url,
      dead_letter_queue_arn: processor.deadLetterQueue.arn,
      dead_letter_queue_name: processor.deadLetterQueue.name,
      function_name: processor.function.functionName,
      function_arn: processor.function.arn,
      role_arn: processor.role.arn,
      event_source_mapping_uuid: processor.eventSourceMapping.uuid,
      alarm_topic_arn: processor.alarmTopicArn,
      // Plain names, known at synth, so that a local run can read them from cdk.tf.json as well.
      alarm_names: (Object.keys(processor.alarms) as AlarmKind[]).map((kind) => processor.config.names.alarm(kind)),
      // The Service dimension's value is the function's name (the runtime library's default).
      metrics_namespace: ORDERS_METRICS_NAMESPACE,
      metrics_service: processor.config.names.function,
      archive_bucket_name: archive?.bucketName,
      archive_prefix: archive?.prefix,
      table_name: this.table.name,
      table_arn: this.table.arn,
    };
    for (const [id, value] of Object.entries(outputs)) {
      if (value !== undefined) new TerraformOutput(this, id, { value });
    }
  }
}

function configureBackend(stack: TerraformStack, environment: OrdersEnvironment): void {
  if (environment.stateBackend) {
    new S3Backend(stack, {
      bucket: environment.stateBackend.bucket,
      key: `queue-processor/orders/${environment.name}.tfstate`,
      region: environment.stateBackend.region ?? environment.region,
      encrypt: true,
    });
    stack.addOverride("terraform.backend.s3.use_lockfile", true);
    return;
  }
  // Relative to the stack's directory (cdktf.out/stacks/<name>): the project root. cdktf's default is
  // an absolute path, which makes two checkouts synthesize different bytes.
  new LocalBackend(stack, { path: `../../../terraform.${environment.name}.tfstate` });
}
