import { ListMessageMoveTasksCommand, type SQSClient, StartMessageMoveTaskCommand } from "@aws-sdk/client-sqs";

export interface MoveTaskOptions {
  readonly deadLetterQueueArn: string;
  readonly sourceQueueArn: string;
  readonly pollSeconds: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (moved: number, toMove: number | undefined) => void;
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface MoveTaskReport {
  readonly taskHandle: string;
  /** COMPLETED, FAILED, CANCELLED; RUNNING when the command stopped watching (Ctrl-C). */
  readonly status: string;
  readonly moved: number;
  readonly toMove?: number;
  readonly failureReason?: string;
}

/**
 * SQS's own redrive (StartMessageMoveTask), watched through ListMessageMoveTasks until it ends. It
 * runs on AWS's side: stopping the command stops only the watching, and the report says so.
 */
export async function runMoveTask(sqs: SQSClient, options: MoveTaskOptions): Promise<MoveTaskReport> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const { TaskHandle } = await sqs.send(
    new StartMessageMoveTaskCommand({ SourceArn: options.deadLetterQueueArn, DestinationArn: options.sourceQueueArn }),
  );
  const taskHandle = String(TaskHandle);
  for (;;) {
    const { Results = [] } = await sqs.send(
      new ListMessageMoveTasksCommand({ SourceArn: options.deadLetterQueueArn, MaxResults: 10 }),
    );
    const task = Results.find((result) => result.TaskHandle === taskHandle) ?? Results[0];
    const moved = task?.ApproximateNumberOfMessagesMoved ?? 0;
    const toMove = task?.ApproximateNumberOfMessagesToMove;
    options.onProgress?.(moved, toMove);
    const status = task?.Status ?? "RUNNING";
    if (status !== "RUNNING" && status !== "CANCELLING") {
      return {
        taskHandle,
        status,
        moved,
        ...(toMove === undefined ? {} : { toMove }),
        ...(task?.FailureReason ? { failureReason: task.FailureReason } : {}),
      };
    }
    if (options.signal?.aborted)
      return { taskHandle, status: "RUNNING", moved, ...(toMove === undefined ? {} : { toMove }) };
    await sleep(options.pollSeconds * 1000);
  }
}
