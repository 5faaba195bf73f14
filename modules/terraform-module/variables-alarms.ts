import { ARNS, CLOUDWATCH } from "@queue-processor/runtime/aws-limits";
import { ALARM_KINDS, type AlarmKind } from "../queue-processor/resolve.js";
import { constructDefaults } from "./defaults.js";
import { hclList, hclRegex } from "./hcl.js";
import { got, type ModuleVariable, rule } from "./variable.js";

const defaults = constructDefaults();
const { highResolution, multipleOf } = CLOUDWATCH.alarmPeriodSeconds;

/** `queueDepth` → `alarm_queue_depth`. */
export const alarmVariableName = (kind: AlarmKind): string =>
  `alarm_${kind.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`)}`;

/** One alarm's rules, on its resolved values (see locals.ts): a given value with the defaults of the rest. */
function alarmValidation(kind: AlarmKind) {
  const name = alarmVariableName(kind);
  const period = `coalesce(var.${name}.period_seconds, ${defaults.alarms.byKind[kind] === false ? 0 : defaults.alarms.byKind[kind].periodSeconds})`;
  const evaluations = `coalesce(var.${name}.evaluation_periods, ${defaults.alarms.byKind[kind] === false ? 0 : defaults.alarms.byKind[kind].evaluationPeriods})`;
  return [
    rule(
      `var.${name}.threshold == null ? true : var.${name}.threshold >= 0`,
      `${name}.threshold must be a number, 0 or more ${got(`${name}.threshold`)}.`,
    ),
    rule(
      `floor(${period}) == ${period} && ${period} > 0 && (contains(${hclList(highResolution)}, ${period}) || ${period} % ${multipleOf} == 0)`,
      `${name}.period_seconds must be ${highResolution.join(", ")} or a multiple of ${multipleOf} ${got(`${name}.period_seconds`)}.`,
    ),
    rule(
      `floor(${evaluations}) == ${evaluations} && ${evaluations} >= ${CLOUDWATCH.alarmEvaluationPeriodsMin}`,
      `${name}.evaluation_periods must be a whole number ${CLOUDWATCH.alarmEvaluationPeriodsMin} or more ${got(`${name}.evaluation_periods`)}.`,
    ),
    rule(
      `${period} * ${evaluations} <= ${CLOUDWATCH.alarmEvaluationMaxSeconds}`,
      `${name}.evaluation_periods x period_seconds must be at most ${CLOUDWATCH.alarmEvaluationMaxSeconds} seconds ` +
        `(got \${${evaluations}} x \${${period}} = \${${period} * ${evaluations}}).`,
    ),
  ];
}

/** `alarms`: on or off as a whole, the topic, and each alarm's tuning. */
export const ALARM_VARIABLES: readonly ModuleVariable[] = [
  {
    name: "alarms_enabled",
    type: "bool",
    default: true,
    prop: "QueueProcessorProps.alarms",
    note: "false: no alarms and no topic (the construct's alarms: false).",
  },
  {
    name: "alarm_topic_arn",
    type: "string",
    default: null,
    prop: "AlarmsProps.topicArn",
    validation: [
      rule(
        `var.alarm_topic_arn == null ? true : can(regex(${hclRegex(ARNS.snsTopic)}, var.alarm_topic_arn))`,
        `alarm_topic_arn must be an SNS topic ARN like arn:aws:sns:<region>:<account>:<topic> ${got("alarm_topic_arn")}.`,
      ),
    ],
  },
  ...ALARM_KINDS.map(
    (kind): ModuleVariable => ({
      name: alarmVariableName(kind),
      type: "object({ enabled = optional(bool, true), threshold = optional(number), period_seconds = optional(number), evaluation_periods = optional(number) })",
      default: {},
      prop: `AlarmsProps.${kind}`,
      note: "enabled = false switches it off; a null field keeps the default.",
      validation: alarmValidation(kind),
    }),
  ),
];
