import { ARNS, CLOUDWATCH } from "@queue-processor/runtime/aws-limits";
import { describeValue } from "../describe-value.js";
import { ALARM_KINDS, type ResolvedAlarm } from "../resolve.js";
import {
  got,
  isInteger,
  isPlainObject,
  issueUnless,
  number,
  type Rule,
  type RuleIssue,
  wholeNumberIn,
} from "./rule.js";

const ALARM_SHORT_PERIODS: readonly number[] = CLOUDWATCH.alarmPeriodSeconds.highResolution;

/** `alarms`: the topic and each alarm's tuning. */
export const ALARM_RULES: readonly Rule[] = [
  {
    code: "alarm-topic-arn-invalid",
    level: "error",
    check: (_props, { alarms }) => {
      const arn: unknown = alarms === false ? undefined : alarms.topicArn;
      return issueUnless(
        arn === undefined || (typeof arn === "string" && ARNS.snsTopic.test(arn)),
        "alarms.topicArn",
        `alarms.topicArn must be an SNS topic ARN like arn:aws:sns:<region>:<account>:<topic> ${got(arn)}`,
      );
    },
  },
  {
    code: "alarm-setting-invalid",
    level: "error",
    check: (props, { alarms }) => {
      if (alarms === false) return [];
      return ALARM_KINDS.flatMap((kind) => {
        const alarm = alarms.byKind[kind];
        if (alarm === false) return [];
        const setting = props.alarms === false ? undefined : props.alarms?.[kind];
        const thresholdGiven = isPlainObject(setting) && setting.threshold !== undefined;
        return alarmIssues(`alarms.${kind}`, alarm, thresholdGiven);
      });
    },
  },
  {
    code: "filtered-out-alarm-without-filter",
    level: "warning",
    check: (props, { eventSource }) => {
      const setting = props.alarms === false ? undefined : props.alarms?.filteredOutEvents;
      return issueUnless(
        setting === undefined || setting === false || eventSource.filterPatterns.length > 0,
        "alarms.filteredOutEvents",
        "alarms.filteredOutEvents has no effect without eventSource.filterPatterns: nothing is filtered out, " +
          "so the alarm is not created",
      );
    },
  },
];

/**
 * One alarm's threshold, period and evaluation periods, as CloudWatch accepts them. A derived threshold
 * that is no number comes from settings that their own rules report.
 */
function alarmIssues(path: string, alarm: ResolvedAlarm, thresholdGiven: boolean): RuleIssue[] {
  const { threshold, periodSeconds: period, evaluationPeriods } = alarm;
  const { multipleOf } = CLOUDWATCH.alarmPeriodSeconds;
  const periodValid =
    isInteger(period) && period > 0 && (ALARM_SHORT_PERIODS.includes(period) || period % multipleOf === 0);
  const evaluatedSeconds = isInteger(period) && isInteger(evaluationPeriods) ? period * evaluationPeriods : Number.NaN;
  return [
    ...issueUnless(
      (!thresholdGiven && Number.isNaN(threshold)) ||
        (typeof threshold === "number" && Number.isFinite(threshold) && threshold >= 0),
      `${path}.threshold`,
      `${path}.threshold must be a number, 0 or more ${got(threshold)}`,
    ),
    ...issueUnless(
      periodValid,
      `${path}.periodSeconds`,
      `${path}.periodSeconds must be ${ALARM_SHORT_PERIODS.join(", ")} or a multiple of ${multipleOf} ${got(period)}`,
    ),
    ...wholeNumberIn(`${path}.evaluationPeriods`, evaluationPeriods, {
      min: CLOUDWATCH.alarmEvaluationPeriodsMin,
      max: Infinity,
    }),
    ...issueUnless(
      !periodValid || !isInteger(evaluationPeriods) || evaluatedSeconds <= CLOUDWATCH.alarmEvaluationMaxSeconds,
      `${path}.evaluationPeriods`,
      `${path}.evaluationPeriods x periodSeconds must be at most ${number(CLOUDWATCH.alarmEvaluationMaxSeconds)} seconds ` +
        `(got ${describeValue(evaluationPeriods)} x ${describeValue(period)} = ${number(evaluatedSeconds)})`,
    ),
  ];
}
