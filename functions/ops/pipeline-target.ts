/**
 * One deployed (or local) pipeline, as the operations command sees it: the names and addresses every
 * verb works on, read from the stack's outputs (`terraform output -json`) or the synthesized stack.
 */
export interface PipelineTarget {
  readonly environment: string;
  readonly region: string;
  /** The one endpoint of every AWS client for a local pipeline (`npm run local -- --keep`); undefined on AWS. */
  readonly endpoint?: string;
  readonly queue: QueueAddress;
  readonly deadLetterQueue: QueueAddress;
  readonly functionName: string;
  /** The pipeline's CloudWatch alarms, by name. */
  readonly alarmNames: readonly string[];
  readonly alarmTopicArn?: string;
  /** Archive mode only: where the archiver stores dead letters. */
  readonly archive?: { readonly bucket: string; readonly prefix: string };
  /** The handler's own metrics (EMF): namespace, and the `Service` dimension's value. */
  readonly metrics: { readonly namespace: string; readonly service: string };
  /** The event source mapping, for its AWS/Lambda metrics (FilteredOutEventCount, ...). */
  readonly eventSourceMappingUuid?: string;
}

export interface QueueAddress {
  readonly url: string;
  readonly arn: string;
  readonly name: string;
}
