/** The Terraform resource kinds the rules link and judge, named once. */

export const QUEUE = "aws_sqs_queue";
/** A mapping's source may be a queue of this plan or one it only reads. */
export const QUEUES = [QUEUE, "data.aws_sqs_queue"];
export const FUNCTION = "aws_lambda_function";
export const MAPPING = "aws_lambda_event_source_mapping";
