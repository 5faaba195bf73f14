import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";

/**
 * A local CloudWatch endpoint for tests: CloudWatch has no local server, so this one decodes what
 * `@aws-sdk/client-cloudwatch` really sends and answers like the API. The pinned client (3.1164.0)
 * speaks AWS JSON 1.0 in query-compatible mode: `POST /`, `Content-Type: application/x-amz-json-1.0`,
 * `X-Amz-Target: GraniteServiceVersion20100801.<Operation>`, `x-amzn-query-mode: true`, timestamps as
 * epoch seconds, and PutMetricData gzip-compressed (`Content-Encoding: gzip`) from 10 KiB. Errors go
 * back as `{__type, message}` with the query error code in `x-amzn-query-error`.
 * A request that breaks the protocol is answered 400 and recorded with its `protocolError`.
 */
export interface CloudWatchEndpoint {
  readonly url: string;
  /** Every request, in arrival order. */
  readonly requests: RecordedRequest[];
  /** PutMetricData bodies that were accepted, in arrival order. */
  readonly putMetricData: () => PutMetricDataBody[];
  /** The data GetMetricData answers from; set or change it at any time. */
  metrics: StoredMetricData[];
  /** The alarms DescribeAlarms answers from. */
  alarms: StoredAlarm[];
  /** The next requests of an operation fail or wait first (a fault a real CloudWatch can show). */
  fault: EndpointFault | undefined;
  close(): Promise<void>;
}

interface RecordedRequest {
  readonly operation: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** Bytes on the wire (compressed, when gzip). */
  readonly wireBytes: number;
  /** Bytes of the JSON document after decompression. */
  readonly jsonBytes: number;
  readonly gzip: boolean;
  readonly body: unknown;
  readonly protocolError?: string;
}

interface PutMetricDataBody {
  readonly Namespace: string;
  readonly MetricData: readonly WireMetricDatum[];
}

export interface WireMetricDatum {
  readonly MetricName: string;
  readonly Dimensions?: readonly { Name: string; Value: string }[];
  /** Epoch seconds, as JSON 1.0 sends them. */
  readonly Timestamp?: number;
  readonly Value?: number;
  readonly Values?: readonly number[];
  readonly Counts?: readonly number[];
  readonly StatisticValues?: { SampleCount: number; Sum: number; Minimum: number; Maximum: number };
  readonly Unit?: string;
  readonly StorageResolution?: number;
}

interface StoredMetricData {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
  /** The statistic these points answer (GetMetricData's `Stat`). */
  readonly stat: string;
  readonly points: readonly { readonly timestamp: Date; readonly value: number }[];
  /** A result's own status, as CloudWatch gives per query (e.g. `Forbidden` for a namespace the caller may not read). */
  readonly statusCode?: "Forbidden" | "InternalError";
}

interface StoredAlarm {
  readonly name: string;
  readonly state: "OK" | "ALARM" | "INSUFFICIENT_DATA";
  readonly reason?: string;
  readonly updatedAt?: Date;
  readonly composite?: boolean;
}

interface EndpointFault {
  /** Which operation it hits; all when unset. */
  readonly operation?: string;
  /** Wait this long before answering (a slow CloudWatch). */
  readonly delayMs?: number;
  /** Answer this error instead (e.g. 400 AccessDenied, 400 Throttling, 500 InternalFailure). */
  readonly error?: { readonly status: number; readonly code: string; readonly message: string };
  /** How many requests it hits; every one when unset. */
  times?: number;
}

/** AWS's documented limits, which the endpoint enforces as CloudWatch does. */
const PUT_LIMITS = { maxBodyBytes: 1_048_576, maxDatums: 1000, maxValues: 150, maxDimensions: 30 };
const GET_LIMITS = { maxQueries: 500 };
const DESCRIBE_LIMITS = { maxNames: 100, maxRecords: 100 };
const TARGET_PREFIX = "GraniteServiceVersion20100801.";

export async function startCloudWatchEndpoint(options: { pageSize?: number } = {}): Promise<CloudWatchEndpoint> {
  const requests: RecordedRequest[] = [];
  const pageSize = options.pageSize ?? 100_800;
  const state = {
    metrics: [] as StoredMetricData[],
    alarms: [] as StoredAlarm[],
    fault: undefined as EndpointFault | undefined,
  };

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      void handle(request, Buffer.concat(chunks), response).catch((error: unknown) => {
        if (!response.headersSent) respondError(response, 500, "InternalFailure", String(error));
      });
    });
  });

  async function handle(request: IncomingMessage, raw: Buffer, response: ServerResponse): Promise<void> {
    const target = String(request.headers["x-amz-target"] ?? "");
    const operation = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : target;
    const gzip = request.headers["content-encoding"] === "gzip";
    const decoded = decode(request, raw, gzip);
    requests.push({
      operation,
      headers: request.headers,
      wireBytes: raw.length,
      jsonBytes: decoded.jsonBytes,
      gzip,
      body: decoded.body,
      ...(decoded.error ? { protocolError: decoded.error } : {}),
    });
    if (decoded.error) {
      respondError(response, 400, "InvalidAction", decoded.error);
      return;
    }

    const fault = state.fault;
    if (fault && (fault.operation === undefined || fault.operation === operation)) {
      if (fault.times !== undefined && --fault.times <= 0) state.fault = undefined;
      if (fault.delayMs) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
      if (response.destroyed) return;
      if (fault.error) {
        respondError(response, fault.error.status, fault.error.code, fault.error.message);
        return;
      }
    }
    const body = decoded.body as Record<string, unknown>;
    const handlers: Record<string, () => Answer> = {
      PutMetricData: () => checkPutMetricData(body, decoded.jsonBytes),
      GetMetricData: () => getMetricData(body, state.metrics, pageSize),
      DescribeAlarms: () => describeAlarms(body, state.alarms),
    };
    answer(
      response,
      handlers[operation]?.() ?? { ok: false, code: "InvalidAction", message: `${operation} is not served here` },
    );
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    putMetricData: () =>
      requests
        .filter((request) => request.operation === "PutMetricData" && !request.protocolError)
        .filter((request) => checkPutMetricData(request.body as Record<string, unknown>, request.jsonBytes).ok)
        .map((request) => request.body as PutMetricDataBody),
    get metrics() {
      return state.metrics;
    },
    set metrics(value) {
      state.metrics = value;
    },
    get alarms() {
      return state.alarms;
    },
    set alarms(value) {
      state.alarms = value;
    },
    get fault() {
      return state.fault;
    },
    set fault(value) {
      state.fault = value;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function decode(
  request: IncomingMessage,
  raw: Buffer,
  gzip: boolean,
): { body: unknown; jsonBytes: number; error?: string } {
  if (request.method !== "POST" || request.url !== "/") {
    return { body: undefined, jsonBytes: 0, error: `expected POST /, got ${request.method} ${request.url}` };
  }
  if (request.headers["content-type"] !== "application/x-amz-json-1.0") {
    return { body: undefined, jsonBytes: 0, error: `content-type ${request.headers["content-type"]}` };
  }
  if (!String(request.headers["x-amz-target"] ?? "").startsWith(TARGET_PREFIX)) {
    return { body: undefined, jsonBytes: 0, error: `x-amz-target ${request.headers["x-amz-target"]}` };
  }
  if (
    !/^AWS4-HMAC-SHA256 Credential=[^/]+\/\d{8}\/[a-z0-9-]+\/monitoring\/aws4_request/.test(
      String(request.headers.authorization ?? ""),
    )
  ) {
    return { body: undefined, jsonBytes: 0, error: "no SigV4 signature for the monitoring service" };
  }
  let text: Buffer;
  try {
    text = gzip ? gunzipSync(raw) : raw;
  } catch {
    return { body: undefined, jsonBytes: 0, error: "Content-Encoding gzip but the body is not gzip" };
  }
  try {
    return { body: JSON.parse(text.toString("utf8")), jsonBytes: text.length };
  } catch {
    return { body: undefined, jsonBytes: text.length, error: "the body is not JSON" };
  }
}

type Answer = { ok: true; body: unknown } | { ok: false; code: string; message: string };

function answer(response: ServerResponse, result: Answer): void {
  if (!result.ok) {
    respondError(response, 400, result.code, result.message);
    return;
  }
  response.writeHead(200, { "content-type": "application/x-amz-json-1.0" });
  response.end(JSON.stringify(result.body));
}

function respondError(response: ServerResponse, status: number, code: string, message: string): void {
  response.writeHead(status, {
    "content-type": "application/x-amz-json-1.0",
    "x-amzn-query-error": `${code};${status >= 500 ? "Receiver" : "Sender"}`,
  });
  response.end(JSON.stringify({ __type: `com.amazonaws.cloudwatch#${code}`, message }));
}

function invalid(message: string): Answer {
  return { ok: false, code: "InvalidParameterValue", message };
}

function checkPutMetricData(body: Record<string, unknown>, jsonBytes: number): Answer {
  if (jsonBytes > PUT_LIMITS.maxBodyBytes) {
    return { ok: false, code: "RequestEntityTooLarge", message: `request of ${jsonBytes} bytes` };
  }
  if (typeof body.Namespace !== "string" || body.Namespace.length === 0) return invalid("Namespace is required");
  const data = body.MetricData;
  if (!Array.isArray(data) || data.length === 0) return invalid("MetricData is required");
  if (data.length > PUT_LIMITS.maxDatums) {
    return invalid(`MetricData has ${data.length} members; at most ${PUT_LIMITS.maxDatums}`);
  }
  for (const [index, datum] of (data as WireMetricDatum[]).entries()) {
    const where = `MetricData.member.${index + 1}`;
    if (typeof datum.MetricName !== "string" || datum.MetricName.length === 0) return invalid(`${where}.MetricName`);
    if ((datum.Dimensions?.length ?? 0) > PUT_LIMITS.maxDimensions) return invalid(`${where}.Dimensions`);
    const forms = [datum.Value !== undefined, datum.Values !== undefined, datum.StatisticValues !== undefined];
    if (forms.filter(Boolean).length !== 1) return invalid(`${where}: exactly one of Value, Values, StatisticValues`);
    if (datum.Values) {
      if (datum.Values.length > PUT_LIMITS.maxValues) return invalid(`${where}.Values has ${datum.Values.length}`);
      if (datum.Counts && datum.Counts.length !== datum.Values.length) return invalid(`${where}.Counts length`);
    }
    const numbers = [
      datum.Value,
      ...(datum.Values ?? []),
      ...(datum.Counts ?? []),
      ...Object.values(datum.StatisticValues ?? {}),
    ];
    if (numbers.some((value) => value !== undefined && !Number.isFinite(value))) return invalid(`${where}: a value`);
  }
  return { ok: true, body: {} };
}

interface WireQuery {
  Id: string;
  MetricStat?: {
    Metric: { Namespace: string; MetricName: string; Dimensions?: { Name: string; Value: string }[] };
    Period: number;
    Stat: string;
  };
  Expression?: string;
}

function getMetricData(body: Record<string, unknown>, stored: readonly StoredMetricData[], pageSize: number): Answer {
  const queries = body.MetricDataQueries as WireQuery[] | undefined;
  if (!Array.isArray(queries) || queries.length === 0) return invalid("MetricDataQueries is required");
  if (queries.length > GET_LIMITS.maxQueries) return invalid(`${queries.length} queries; at most 500`);
  if (typeof body.StartTime !== "number" || typeof body.EndTime !== "number") {
    return invalid("StartTime and EndTime must be epoch seconds");
  }
  const start = body.StartTime * 1000;
  const end = body.EndTime * 1000;
  const descending = body.ScanBy === "TimestampDescending";
  const offset = typeof body.NextToken === "string" ? Number(body.NextToken) : 0;
  // Every result's points in one list, so a page can end in the middle of a query, as CloudWatch's can.
  const all: { id: string; label: string; statusCode?: string; timestamps: number[]; values: number[] }[] = [];
  for (const query of queries) {
    if (!query.MetricStat) return invalid(`query ${query.Id}: only MetricStat is served here`);
    const { Metric, Stat, Period } = query.MetricStat;
    if (!Number.isInteger(Period) || Period <= 0 || (Period >= 60 && Period % 60 !== 0)) {
      return invalid(`query ${query.Id}: Period ${Period}`);
    }
    const wanted = Object.fromEntries((Metric.Dimensions ?? []).map((dimension) => [dimension.Name, dimension.Value]));
    const match = stored.find(
      (metric) =>
        metric.namespace === Metric.Namespace &&
        metric.metricName === Metric.MetricName &&
        metric.stat === Stat &&
        sameDimensions(metric.dimensions, wanted),
    );
    const points = (match?.points ?? [])
      .filter((point) => point.timestamp.getTime() >= start && point.timestamp.getTime() < end)
      .sort((a, b) => (descending ? -1 : 1) * (a.timestamp.getTime() - b.timestamp.getTime()));
    all.push({
      id: query.Id,
      label: Metric.MetricName,
      statusCode: match?.statusCode,
      timestamps: points.map((point) => point.timestamp.getTime() / 1000),
      values: points.map((point) => point.value),
    });
  }
  let skip = offset;
  let room = pageSize;
  const results = all.map((result) => {
    const from = Math.min(skip, result.values.length);
    skip -= from;
    const take = Math.min(room, result.values.length - from);
    room -= take;
    return {
      Id: result.id,
      Label: result.label,
      Timestamps: result.timestamps.slice(from, from + take),
      Values: result.values.slice(from, from + take),
      StatusCode: result.statusCode ?? (from + take < result.values.length ? "PartialData" : "Complete"),
      ...(result.statusCode
        ? { Messages: [{ Code: result.statusCode, Value: "not authorized for this metric" }] }
        : {}),
    };
  });
  const total = all.reduce((sum, result) => sum + result.values.length, 0);
  const next = offset + pageSize < total ? String(offset + pageSize) : undefined;
  return { ok: true, body: { MetricDataResults: results, Messages: [], ...(next ? { NextToken: next } : {}) } };
}

function sameDimensions(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => a[key] === b[key]);
}

function describeAlarms(body: Record<string, unknown>, alarms: readonly StoredAlarm[]): Answer {
  const names = body.AlarmNames as string[] | undefined;
  if (names && names.length > DESCRIBE_LIMITS.maxNames) return invalid(`AlarmNames has ${names.length}; at most 100`);
  const maxRecords = (body.MaxRecords as number | undefined) ?? 50;
  if (maxRecords < 1 || maxRecords > DESCRIBE_LIMITS.maxRecords) return invalid(`MaxRecords ${maxRecords}`);
  const types = (body.AlarmTypes as string[] | undefined) ?? ["MetricAlarm"];
  const offset = typeof body.NextToken === "string" ? Number(body.NextToken) : 0;
  const matching = alarms.filter(
    (alarm) =>
      (!names || names.includes(alarm.name)) && types.includes(alarm.composite ? "CompositeAlarm" : "MetricAlarm"),
  );
  const page = matching.slice(offset, offset + maxRecords);
  const wire = (alarm: StoredAlarm) => ({
    AlarmName: alarm.name,
    AlarmArn: `arn:aws:cloudwatch:us-east-1:123456789012:alarm:${alarm.name}`,
    StateValue: alarm.state,
    StateReason: alarm.reason ?? "",
    StateUpdatedTimestamp: (alarm.updatedAt ?? new Date(0)).getTime() / 1000,
  });
  const next = offset + maxRecords < matching.length ? String(offset + maxRecords) : undefined;
  return {
    ok: true,
    body: {
      MetricAlarms: page.filter((alarm) => !alarm.composite).map(wire),
      CompositeAlarms: page.filter((alarm) => alarm.composite).map(wire),
      ...(next ? { NextToken: next } : {}),
    },
  };
}
