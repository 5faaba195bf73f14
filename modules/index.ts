export type { BundleOptions, FunctionBundle } from "@queue-processor/runtime/bundle";
export { BundleError, bundleFunction } from "@queue-processor/runtime/bundle";
export { checkQueueProcessorProps, QueueProcessor } from "./queue-processor/construct.js";
export { describeValue } from "./queue-processor/describe-value.js";
export type { ConfigIssue } from "./queue-processor/errors.js";
export { QueueProcessorConfigError } from "./queue-processor/errors.js";
export type { PolicyStatement } from "./queue-processor/policy-statement.js";
export type {
  AlarmSetting,
  AlarmsProps,
  AlarmTuning,
  ArchiveBucket,
  ArchiveDeadLetters,
  ArchiverProps,
  BodyFilterPattern,
  DeadLettersProps,
  EventSourceProps,
  HandlerProps,
  LambdaArchitecture,
  QueueProcessorProps,
  QueueProps,
  RetainDeadLetters,
} from "./queue-processor/props.js";
export { AWS_PROVIDER_VERSION_RANGE } from "./queue-processor/provider-versions.js";
export type { AlarmKind, ResolvedAlarm, ResolvedConfig } from "./queue-processor/resolve.js";
export { synthesizeApp } from "./synthesize.js";
