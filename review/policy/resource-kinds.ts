/** The Terraform resource kinds the rules link and judge, named once. */

export const QUEUE = "aws_sqs_queue";
/** A mapping's source may be a queue of this plan or one it only reads. */
export const QUEUES = [QUEUE, "data.aws_sqs_queue"];
export const FUNCTION = "aws_lambda_function";
export const MAPPING = "aws_lambda_event_source_mapping";

/** The resource kinds that hold data (destroying one loses it), and what is lost with them. */
export const STATEFUL: Readonly<Record<string, { readonly lost: string; readonly moved: string }>> = {
  aws_sqs_queue: { lost: "its messages are lost", moved: "messages" },
  aws_dynamodb_table: { lost: "its items are lost", moved: "data" },
  aws_s3_bucket: { lost: "its objects are lost", moved: "objects" },
  aws_kms_key: { lost: "what it encrypted can no longer be decrypted", moved: "data to another key" },
  aws_db_instance: { lost: "its databases are lost", moved: "data" },
  aws_rds_cluster: { lost: "its databases are lost", moved: "data" },
  aws_efs_file_system: { lost: "its files are lost", moved: "files" },
  aws_kinesis_stream: { lost: "its records are lost", moved: "records" },
  aws_cloudwatch_log_group: { lost: "its log events are lost", moved: "log events" },
  aws_secretsmanager_secret: { lost: "its secret value is lost", moved: "secret" },
  aws_ebs_volume: { lost: "its data is lost", moved: "data" },
};

export function isStateful(type: string): boolean {
  return Object.hasOwn(STATEFUL, type);
}
