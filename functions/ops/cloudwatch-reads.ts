import {
  type CloudWatchClient,
  DescribeAlarmsCommand,
  GetMetricDataCommand,
  type MetricDataQuery,
} from "@aws-sdk/client-cloudwatch";
import { CLOUDWATCH } from "@queue-processor/runtime/aws-limits";

/** One metric the status command reads: a statistic of a metric, by its dimensions. */
export interface MetricQuery {
  /** Lower-case letters, digits and `_`, starting with a letter: GetMetricData's rule for an Id. */
  readonly id: string;
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly stat: "Sum" | "Maximum" | "Average";
}

/** A metric's values, one per period from `start`; `null` where CloudWatch has no data point. */
export type PeriodValues = (number | null)[];

/**
 * Reads every query over [start, start + periods x period) with GetMetricData, following NextToken,
 * at most 500 queries per call; returns each query's values aligned to the periods.
 */
export async function readMetricSeries(
  client: CloudWatchClient,
  queries: readonly MetricQuery[],
  window: { readonly start: Date; readonly periodSeconds: number; readonly periods: number },
): Promise<Map<string, PeriodValues>> {
  const series = new Map<string, PeriodValues>(
    queries.map((query) => [query.id, new Array<number | null>(window.periods).fill(null)]),
  );
  const startMs = window.start.getTime();
  const periodMs = window.periodSeconds * 1000;
  const endTime = new Date(startMs + window.periods * periodMs);
  for (let at = 0; at < queries.length; at += CLOUDWATCH.getMetricData.maxQueries) {
    const batch = queries.slice(at, at + CLOUDWATCH.getMetricData.maxQueries);
    let nextToken: string | undefined;
    do {
      const response = await client.send(
        new GetMetricDataCommand({
          StartTime: window.start,
          EndTime: endTime,
          ScanBy: "TimestampAscending",
          MetricDataQueries: batch.map((query) => toWire(query, window.periodSeconds)),
          NextToken: nextToken,
        }),
      );
      for (const result of response.MetricDataResults ?? []) {
        const values = result.Id ? series.get(result.Id) : undefined;
        if (!values) continue;
        // Forbidden or InternalError would otherwise read as "no data": the part fails instead.
        if (result.StatusCode === "Forbidden" || result.StatusCode === "InternalError") {
          const query = batch.find((candidate) => candidate.id === result.Id);
          const why = (result.Messages ?? []).map((message) => message.Value).join("; ");
          throw new Error(
            `GetMetricData answered ${result.StatusCode} for ${query?.namespace} ${query?.metricName}${why ? `: ${why}` : ""}`,
          );
        }
        const timestamps = result.Timestamps ?? [];
        for (const [index, timestamp] of timestamps.entries()) {
          const slot = Math.floor((timestamp.getTime() - startMs) / periodMs);
          const value = result.Values?.[index];
          if (slot >= 0 && slot < window.periods && value !== undefined) values[slot] = value;
        }
      }
      nextToken = response.NextToken;
    } while (nextToken);
  }
  return series;
}

function toWire(query: MetricQuery, periodSeconds: number): MetricDataQuery {
  return {
    Id: query.id,
    ReturnData: true,
    MetricStat: {
      Metric: {
        Namespace: query.namespace,
        MetricName: query.metricName,
        Dimensions: Object.entries(query.dimensions).map(([Name, Value]) => ({ Name, Value })),
      },
      Period: periodSeconds,
      Stat: query.stat,
    },
  };
}

export interface AlarmState {
  readonly name: string;
  /** `MISSING`: the stack names it, CloudWatch does not have it (deleted, or another account or region). */
  readonly state: "OK" | "ALARM" | "INSUFFICIENT_DATA" | "MISSING";
  readonly reason?: string;
  readonly updatedAt?: Date;
}

/** Each named alarm's state (metric and composite alarms), in the order given; at most 100 names per call. */
export async function readAlarmStates(client: CloudWatchClient, names: readonly string[]): Promise<AlarmState[]> {
  const found = new Map<string, AlarmState>();
  for (let at = 0; at < names.length; at += CLOUDWATCH.describeAlarms.maxAlarmNames) {
    let nextToken: string | undefined;
    do {
      const response = await client.send(
        new DescribeAlarmsCommand({
          AlarmNames: names.slice(at, at + CLOUDWATCH.describeAlarms.maxAlarmNames),
          AlarmTypes: ["MetricAlarm", "CompositeAlarm"],
          MaxRecords: CLOUDWATCH.describeAlarms.maxRecords,
          NextToken: nextToken,
        }),
      );
      for (const alarm of [...(response.MetricAlarms ?? []), ...(response.CompositeAlarms ?? [])]) {
        if (!alarm.AlarmName) continue;
        found.set(alarm.AlarmName, {
          name: alarm.AlarmName,
          state: alarm.StateValue ?? "INSUFFICIENT_DATA",
          ...(alarm.StateReason ? { reason: alarm.StateReason } : {}),
          ...(alarm.StateUpdatedTimestamp ? { updatedAt: alarm.StateUpdatedTimestamp } : {}),
        });
      }
      nextToken = response.NextToken;
    } while (nextToken);
  }
  return names.map((name) => found.get(name) ?? { name, state: "MISSING" });
}
