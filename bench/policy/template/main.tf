# One instance of each resource of a for_each'd pipeline, planned by terraform for bench/policy:
# the benchmark copies its instances under new keys up to the plan size it measures.
terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "5.100.0" }
  }
  backend "local" {
    path = "terraform.tfstate"
  }
}

provider "aws" {
  region                      = "us-east-1"
  access_key                  = "bench-policy-dummy-key"
  secret_key                  = "bench-policy-dummy-secret"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
}

locals {
  # The key the benchmark replaces; a word found nowhere else in the plan.
  pipelines = toset(["tmplkey"])
}

resource "aws_iam_role" "processor" {
  name = "bench-policy-processor"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "lambda.amazonaws.com" } }]
  })
}

resource "aws_iam_role_policy" "processor" {
  role = aws_iam_role.processor.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"]
      Resource = "arn:aws:sqs:us-east-1:123456789012:bench-policy-*"
    }]
  })
}

resource "aws_sqs_queue" "dlq" {
  for_each                  = local.pipelines
  name                      = "bench-policy-${each.key}-dlq"
  message_retention_seconds = 1209600
}

resource "aws_sqs_queue" "work" {
  for_each                   = local.pipelines
  name                       = "bench-policy-${each.key}"
  visibility_timeout_seconds = 180
}

resource "aws_sqs_queue_redrive_policy" "work" {
  for_each  = local.pipelines
  queue_url = aws_sqs_queue.work[each.key].url
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.dlq[each.key].arn
    maxReceiveCount     = 5
  })
}

resource "aws_sqs_queue_policy" "work" {
  for_each  = aws_sqs_queue.work
  queue_url = each.value.url
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "DenyInsecureTransport"
      Effect    = "Deny"
      Principal = "*"
      Action    = "sqs:*"
      Resource  = each.value.arn
      Condition = { Bool = { "aws:SecureTransport" = "false" } }
    }]
  })
}

resource "aws_cloudwatch_log_group" "processor" {
  for_each          = local.pipelines
  name              = "/aws/lambda/bench-policy-${each.key}"
  retention_in_days = 30
}

resource "aws_lambda_function" "processor" {
  for_each      = local.pipelines
  function_name = "bench-policy-${each.key}"
  role          = aws_iam_role.processor.arn
  runtime       = "nodejs22.x"
  handler       = "index.handler"
  filename      = "handler.zip"
  timeout       = 30
  depends_on    = [aws_cloudwatch_log_group.processor]
}

resource "aws_lambda_event_source_mapping" "work" {
  for_each                = aws_sqs_queue.work
  event_source_arn        = each.value.arn
  function_name           = aws_lambda_function.processor[each.key].arn
  batch_size              = 10
  function_response_types = ["ReportBatchItemFailures"]
}

resource "aws_cloudwatch_metric_alarm" "dlq" {
  for_each            = aws_sqs_queue.dlq
  alarm_name          = "bench-policy-${each.key}-dlq-not-empty"
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = each.value.name }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
}

resource "aws_cloudwatch_metric_alarm" "age" {
  for_each            = local.pipelines
  alarm_name          = "bench-policy-${each.key}-oldest-message"
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateAgeOfOldestMessage"
  dimensions          = { QueueName = aws_sqs_queue.work[each.key].name }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 5
  threshold           = 600
  comparison_operator = "GreaterThanThreshold"
}
