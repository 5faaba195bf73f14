/**
 * The policy rules, run on any Terraform plan JSON: ours, or another team's hand-written HCL.
 * Resources are linked through configuration `references` (values such as ARNs and URLs are unknown
 * until apply in a plan of new resources) and through known values (ARNs, URLs, names) otherwise.
 */
import { constantOf, holdsUnknown, PlanGraph, type ResourceNode, replaceInterpolations } from "../plan-graph.js";
import { attributeStatements, type Statement } from "../policy-statements.js";
import type { CheckOptions, Finding, Severity } from "../types.js";

const RULE_LIST = [
  {
    id: "dlq-missing",
    severity: "blocking",
    reason: "A queue a Lambda consumes needs a redrive policy, or a poison message is retried until it expires.",
  },
  {
    id: "dlq-type-mismatch",
    severity: "blocking",
    reason: "SQS only redrives a FIFO queue to a FIFO dead-letter queue and a standard queue to a standard one.",
  },
  {
    id: "visibility-below-timeout",
    severity: "blocking",
    reason:
      "A visibility timeout below the function timeout plus the batching window redelivers messages still being processed.",
  },
  {
    id: "visibility-below-advice",
    severity: "warning",
    reason:
      "AWS advises a visibility timeout of at least 6 x the function timeout plus the batching window, so throttled retries fit.",
  },
  {
    id: "partial-batch-responses-off",
    severity: "blocking",
    reason: "Without ReportBatchItemFailures one failed record returns the whole batch to the queue.",
  },
  {
    id: "encryption-off",
    severity: "blocking",
    reason: "Queues are encrypted at rest, with SQS-managed keys or a KMS key.",
  },
  {
    id: "non-tls-allowed",
    severity: "warning",
    reason: "A queue policy should deny every request made without TLS (aws:SecureTransport = false).",
  },
  {
    id: "iam-wildcard",
    severity: "blocking",
    reason:
      'Allow statements name exact actions on exact resources; only X-Ray\'s write actions may use the resource "*".',
  },
  {
    id: "max-concurrency-above-reserved",
    severity: "warning",
    reason:
      "A mapping's maximum concurrency above the function's reserved concurrency gets throttled and burns receives toward the DLQ.",
  },
  {
    id: "dlq-alarm-missing",
    severity: "warning",
    reason: "Messages in a dead-letter queue go unnoticed without an alarm on its ApproximateNumberOfMessagesVisible.",
  },
  {
    id: "log-retention-unset",
    severity: "warning",
    reason: "A log group without retention keeps (and bills) logs forever.",
  },
  {
    id: "stateful-destroy",
    severity: "blocking",
    reason:
      "Destroying or replacing a queue or table loses its messages or data (blocking in prod, a warning elsewhere).",
  },
] as const;

type RuleId = (typeof RULE_LIST)[number]["id"];

/** Every rule the checks can emit, one line each, in the order findings are reported. */
export const RULES: readonly { id: string; severity: Severity; reason: string }[] = Object.freeze(
  RULE_LIST.map((rule) => Object.freeze({ id: rule.id, severity: rule.severity, reason: rule.reason })),
);

const RULE_ORDER = new Map<string, number>(RULE_LIST.map((rule, index) => [rule.id, index]));
const SEVERITY = new Map<string, Severity>(RULE_LIST.map((rule) => [rule.id, rule.severity]));

const QUEUE = "aws_sqs_queue";
const QUEUES = [QUEUE, "data.aws_sqs_queue"];
const FUNCTION = "aws_lambda_function";
const MAPPING = "aws_lambda_event_source_mapping";
const DEFAULT_VISIBILITY_SECONDS = 30;
const DEPTH_METRIC = "ApproximateNumberOfMessagesVisible";
const DEFAULT_FUNCTION_TIMEOUT_SECONDS = 3;
const ADVISED_VISIBILITY_FACTOR = 6;
/** X-Ray's write actions support no resource-level permissions: `*` is their only resource. */
const UNSCOPED_ACTIONS = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"];
const IDENTITY_POLICIES = ["aws_iam_role_policy", "aws_iam_user_policy", "aws_iam_group_policy", "aws_iam_policy"];

/** Checks a plan (`terraform show -json plan.bin`); throws PlanFormatError when it is not one. */
export function checkPlan(plan: unknown, options: CheckOptions = {}): Finding[] {
  return new Checker(new PlanGraph(plan), options).run();
}

interface Redrive {
  /** The queue with an inline `redrive_policy`, or the `aws_sqs_queue_redrive_policy`. */
  readonly declaredAt: ResourceNode;
  readonly sources: readonly ResourceNode[];
  readonly targets: readonly ResourceNode[];
  /** The known `deadLetterTargetArn`, when the plan shows it. */
  readonly targetArn: string | undefined;
}

interface Mapping {
  readonly node: ResourceNode;
  readonly sqs: boolean;
  readonly queues: readonly ResourceNode[];
  readonly functions: readonly ResourceNode[];
}

const json = (value: unknown) => JSON.stringify(value);

class Checker {
  private readonly findings = new Map<string, Finding>();
  private readonly redrives: readonly Redrive[];
  private readonly mappings: readonly Mapping[];

  constructor(
    private readonly graph: PlanGraph,
    private readonly options: CheckOptions,
  ) {
    this.redrives = this.findRedrives();
    this.mappings = graph.live(MAPPING).map((node) => this.describeMapping(node));
  }

  run(): Finding[] {
    this.dlqMissing();
    this.dlqTypeMismatch();
    this.visibility();
    this.partialBatchResponses();
    this.encryption();
    this.tls();
    this.iamWildcards();
    this.maxConcurrency();
    this.dlqAlarms();
    this.logRetention();
    this.statefulDestroy();
    return [...this.findings.values()].sort(
      (a, b) =>
        (a.severity === b.severity ? 0 : a.severity === "blocking" ? -1 : 1) ||
        RULE_ORDER.get(a.rule)! - RULE_ORDER.get(b.rule)! ||
        compare(a.address, b.address) ||
        compare(a.message, b.message),
    );
  }

  private add(rule: RuleId, address: string, message: string, severity: Severity = SEVERITY.get(rule)!): void {
    const finding: Finding = Object.freeze({ rule, severity, address, message });
    this.findings.set(`${rule}\u0000${address}\u0000${message}`, finding);
  }

  // --- linking -----------------------------------------------------------------------------

  private findRedrives(): Redrive[] {
    const redrives: Redrive[] = [];
    for (const queue of this.graph.live(QUEUE)) {
      // A queue's redrive_policy is also computed from a separate aws_sqs_queue_redrive_policy:
      // only a configured one (or any, when the plan has no configuration) is an inline redrive.
      const inline = queue.expressions ? queue.expressions.redrive_policy !== undefined : true;
      if (inline && this.graph.isSet(queue, "redrive_policy")) {
        redrives.push({ declaredAt: queue, sources: [queue], ...this.redriveTargets(queue, [queue]) });
      }
    }
    for (const resource of this.graph.live("aws_sqs_queue_redrive_policy")) {
      if (!this.graph.isSet(resource, "redrive_policy")) continue;
      const sources = this.graph.links(resource, "queue_url", [QUEUE]);
      redrives.push({ declaredAt: resource, sources, ...this.redriveTargets(resource, sources) });
    }
    return redrives;
  }

  private redriveTargets(
    node: ResourceNode,
    sources: readonly ResourceNode[],
  ): { targets: ResourceNode[]; targetArn: string | undefined } {
    const attribute = this.graph.attribute(node, "redrive_policy");
    let text: string | undefined;
    let template = false;
    if (attribute.known && typeof attribute.value === "string") text = attribute.value;
    else if (!attribute.known) {
      const constant = (attribute.expression as { constant_value?: unknown } | undefined)?.constant_value;
      if (typeof constant === "string") [text, template] = [constant, true];
    }
    let targetArn: string | undefined;
    if (text !== undefined) {
      try {
        const parsed = JSON.parse(template ? replaceInterpolations(text) : text) as { deadLetterTargetArn?: unknown };
        if (typeof parsed.deadLetterTargetArn === "string" && !holdsUnknown(parsed.deadLetterTargetArn)) {
          targetArn = parsed.deadLetterTargetArn;
        }
      } catch {
        // A template such as "${jsonencode({...})}": the references below still say where it points.
      }
    }
    const targets = [
      ...(targetArn ? this.graph.matching(targetArn, [QUEUE]) : []),
      ...this.graph.referenced(node.modulePath, attribute.known ? undefined : attribute.expression, [QUEUE]),
    ];
    return { targets: [...new Set(targets)].filter((target) => !sources.includes(target)), targetArn };
  }

  private describeMapping(node: ResourceNode): Mapping {
    const queues = this.graph.links(node, "event_source_arn", QUEUES);
    const functions = this.graph
      .links(node, "function_name", [FUNCTION, "aws_lambda_alias"])
      .flatMap((target) =>
        target.type === "aws_lambda_alias" ? this.graph.links(target, "function_name", [FUNCTION]) : [target],
      );
    return { node, sqs: queues.length > 0 || this.isSqsSource(node), queues, functions: [...new Set(functions)] };
  }

  /** Whether a mapping reads from SQS when its source is not a queue of this plan. */
  private isSqsSource(node: ResourceNode): boolean {
    const source = this.graph.attribute(node, "event_source_arn");
    if (source.known) return typeof source.value === "string" && /^arn:[^:]+:sqs:/.test(source.value);
    const referenced = this.graph.resolve(node.modulePath, source.expression);
    if (referenced.length > 0)
      return referenced.some((address) => /(^|\.)(data\.)?aws_sqs_queue\.[^.]+$/.test(address));
    // Unresolvable (a local, a variable of the root): streams, Kafka and MQ sources need these.
    return ["starting_position", "topics", "queues", "self_managed_event_source"].every(
      (name) => !this.graph.isSet(node, name),
    );
  }

  /** True when an attribute's target is unknown and its expression refers to nothing this plan resolves. */
  private unresolved(node: ResourceNode, name: string): boolean {
    const attribute = this.graph.attribute(node, name);
    return !attribute.known && this.graph.resolve(node.modulePath, attribute.expression).length === 0;
  }

  private fifo(queue: ResourceNode): boolean | undefined {
    const flag = this.graph.valueOf(queue, "fifo_queue");
    if (typeof flag === "boolean") return flag;
    const name = this.graph.valueOf(queue, "name");
    if (typeof name === "string") return name.endsWith(".fifo");
    return flag === null ? false : undefined;
  }

  private number(node: ResourceNode, name: string, fallback: number): number | undefined {
    const value = this.graph.valueOf(node, name);
    if (typeof value === "number") return value;
    if (value === null) return fallback;
    const attribute = this.graph.attribute(node, name);
    return !attribute.known && !attribute.configured ? fallback : undefined;
  }

  // --- rules -------------------------------------------------------------------------------

  private dlqMissing(): void {
    // A redrive resource whose queue the plan cannot tell (queue_url from a local, say) might be
    // any queue's: no finding then.
    if (
      this.redrives.some((redrive) => redrive.sources.length === 0 && this.unresolved(redrive.declaredAt, "queue_url"))
    )
      return;
    const redriven = new Set(this.redrives.flatMap((redrive) => redrive.sources));
    const consumers = new Map<ResourceNode, string[]>();
    for (const mapping of this.mappings) {
      if (!mapping.sqs) continue;
      for (const queue of mapping.queues) {
        if (queue.kind !== QUEUE) continue;
        consumers.set(queue, [...(consumers.get(queue) ?? []), mapping.node.address]);
      }
    }
    for (const [queue, mappings] of consumers) {
      if (redriven.has(queue)) continue;
      this.add(
        "dlq-missing",
        queue.address,
        `${queue.address} is consumed by ${mappings.join(", ")} but has no redrive policy (no redrive_policy, no aws_sqs_queue_redrive_policy for it); ` +
          `expected a redrive to a dead-letter queue with a maxReceiveCount`,
      );
    }
  }

  private dlqTypeMismatch(): void {
    const type = (fifo: boolean) => (fifo ? "FIFO" : "standard");
    for (const redrive of this.redrives) {
      const targets: { label: string; fifo: boolean | undefined }[] = redrive.targets.map((target) => ({
        label: target.address,
        fifo: this.fifo(target),
      }));
      if (targets.length === 0 && redrive.targetArn)
        targets.push({ label: redrive.targetArn, fifo: redrive.targetArn.endsWith(".fifo") });
      for (const source of redrive.sources) {
        const sourceFifo = this.fifo(source);
        for (const target of targets) {
          if (sourceFifo === undefined || target.fifo === undefined || sourceFifo === target.fifo) continue;
          const via = redrive.declaredAt === source ? "" : ` (${redrive.declaredAt.address})`;
          this.add(
            "dlq-type-mismatch",
            redrive.declaredAt.address,
            `${source.address} is a ${type(sourceFifo)} queue but its redrive${via} targets ${target.label}, a ${type(target.fifo)} queue; ` +
              `expected a ${type(sourceFifo)} dead-letter queue`,
          );
        }
      }
    }
  }

  private visibility(): void {
    for (const mapping of this.mappings) {
      if (!mapping.sqs) continue;
      const window = this.number(mapping.node, "maximum_batching_window_in_seconds", 0);
      for (const queue of mapping.queues) {
        if (queue.kind !== QUEUE) continue; // a data source does not show the visibility timeout
        const visibility = this.number(queue, "visibility_timeout_seconds", DEFAULT_VISIBILITY_SECONDS);
        for (const fn of mapping.functions) {
          const timeout = this.number(fn, "timeout", DEFAULT_FUNCTION_TIMEOUT_SECONDS);
          if (visibility === undefined || timeout === undefined || window === undefined) continue;
          const minimum = timeout + window;
          const advised = ADVISED_VISIBILITY_FACTOR * timeout + window;
          const found = `${queue.address} visibility_timeout_seconds is ${visibility}${unset(queue, "visibility_timeout_seconds") ? " (unset: the default)" : ""}`;
          const terms =
            `${fn.address} timeout ${timeout} s${unset(fn, "timeout") ? " (the default)" : ""}, ` +
            `batching window ${window} s of ${mapping.node.address}`;
          if (visibility < minimum) {
            this.add(
              "visibility-below-timeout",
              queue.address,
              `${found}, below timeout + window = ${minimum} s (${terms}); expected at least ${minimum} s, advised ${advised} s`,
            );
          } else if (visibility < advised) {
            this.add(
              "visibility-below-advice",
              queue.address,
              `${found}, below the advised 6 x timeout + window = ${advised} s (${terms}); expected at least ${advised} s`,
            );
          }
        }
      }
    }
  }

  private partialBatchResponses(): void {
    for (const mapping of this.mappings) {
      if (!mapping.sqs) continue;
      const types = this.graph.valueOf(mapping.node, "function_response_types");
      if (types === undefined || (Array.isArray(types) && types.includes("ReportBatchItemFailures"))) continue;
      this.add(
        "partial-batch-responses-off",
        mapping.node.address,
        `${mapping.node.address} function_response_types is ${types === null ? "unset" : json(types)}; ` +
          `expected ["ReportBatchItemFailures"], so one failed record does not return its whole batch`,
      );
    }
  }

  private encryption(): void {
    for (const queue of this.graph.live(QUEUE)) {
      if (
        this.graph.valueOf(queue, "sqs_managed_sse_enabled") !== false ||
        this.graph.isSet(queue, "kms_master_key_id")
      )
        continue;
      this.add(
        "encryption-off",
        queue.address,
        `${queue.address} sqs_managed_sse_enabled is false and kms_master_key_id is unset; ` +
          `expected sqs_managed_sse_enabled = true or a kms_master_key_id`,
      );
    }
  }

  private tls(): void {
    const policies = this.graph.live("aws_sqs_queue_policy").map((policy) => ({
      policy,
      queues: this.graph.links(policy, "queue_url", [QUEUE]),
    }));
    const unresolved = policies.some(
      ({ policy, queues }) => queues.length === 0 && this.unresolved(policy, "queue_url"),
    );
    for (const queue of this.graph.live(QUEUE)) {
      const sources: { address: string; statements: Statement[] | undefined }[] = [];
      for (const { policy, queues } of policies) {
        if (!queues.includes(queue)) continue;
        const attribute = this.graph.attribute(policy, "policy");
        sources.push({
          address: policy.address,
          statements: attributeStatements(this.graph, policy, attribute, policy.expressions?.policy),
        });
      }
      const inline = this.graph.attribute(queue, "policy");
      if (inline.known ? this.graph.isSet(queue, "policy") : inline.configured) {
        sources.push({
          address: `${queue.address} policy`,
          statements: attributeStatements(this.graph, queue, inline, inline.known ? undefined : inline.expression),
        });
      }
      // Cannot tell: a policy the plan does not show, or one for a queue it cannot resolve.
      if (sources.some((source) => source.statements === undefined) || (sources.length === 0 && unresolved)) continue;
      if (sources.some((source) => source.statements!.some(deniesInsecureTransport))) continue;
      const found =
        sources.length === 0
          ? "has no queue policy"
          : `has a policy (${sources.map((source) => source.address).join(", ")}) without such a Deny`;
      this.add(
        "non-tls-allowed",
        queue.address,
        `${queue.address} ${found}; expected a queue policy with a Deny statement on condition Bool aws:SecureTransport = "false"`,
      );
    }
  }

  private iamWildcards(): void {
    const check = (address: string, statements: readonly Statement[] | undefined) => {
      for (const statement of statements ?? []) {
        if (statement.effect !== "Allow") continue;
        const actions = statement.actions.filter((action): action is string => action !== undefined);
        if (
          statement.actions.length > 0 &&
          statement.actions.every((action) => action !== undefined && UNSCOPED_ACTIONS.includes(action))
        )
          continue;
        const wildcardActions = actions.filter((action) => action.includes("*"));
        const wildcardResource = statement.resources.includes("*");
        if (wildcardActions.length === 0 && !wildcardResource) continue;
        const found = [
          ...(wildcardActions.length > 0
            ? [`action${wildcardActions.length > 1 ? "s" : ""} ${wildcardActions.map(json).join(", ")}`]
            : []),
          ...(wildcardResource ? [`resource "*" (for ${actions.map(json).join(", ") || "unknown actions"})`] : []),
        ].join(" and ");
        const origin = `statement ${statement.sid ? json(statement.sid) : "without Sid"}${statement.source === address ? "" : ` of ${statement.source}`}`;
        this.add(
          "iam-wildcard",
          address,
          `${address} allows ${found} in ${origin}; expected exact actions on exact resource ARNs ` +
            `("*" only for ${UNSCOPED_ACTIONS.join(", ")})`,
        );
      }
    };
    for (const node of this.graph.live(...IDENTITY_POLICIES)) {
      const attribute = this.graph.attribute(node, "policy");
      check(
        node.address,
        attributeStatements(this.graph, node, attribute, attribute.known ? undefined : attribute.expression),
      );
    }
    for (const role of this.graph.live("aws_iam_role")) {
      const blocks = this.graph.valueAt(role, ["inline_policy"]);
      const configured = Array.isArray(role.expressions?.inline_policy)
        ? (role.expressions.inline_policy as Record<string, unknown>[])
        : [];
      if (!Array.isArray(blocks)) continue;
      blocks.forEach((block: Record<string, unknown> | null, index) => {
        const policy = this.graph.valueAt(role, ["inline_policy", index, "policy"]);
        if (policy !== undefined) {
          check(role.address, attributeStatements(this.graph, role, { known: true, value: policy }, undefined));
          return;
        }
        const byName = configured.find((config) => block !== null && constantOf(config.name) === block.name);
        const expression = (byName ?? configured[index])?.policy;
        check(role.address, attributeStatements(this.graph, role, { known: false }, expression));
      });
    }
  }

  private maxConcurrency(): void {
    for (const mapping of this.mappings) {
      if (!mapping.sqs) continue;
      const maximum = this.graph.valueAt(mapping.node, ["scaling_config", 0, "maximum_concurrency"]);
      if (typeof maximum !== "number") continue;
      for (const fn of mapping.functions) {
        const reserved = this.graph.valueOf(fn, "reserved_concurrent_executions");
        if (typeof reserved !== "number" || reserved === -1 || maximum <= reserved) continue;
        this.add(
          "max-concurrency-above-reserved",
          mapping.node.address,
          `${mapping.node.address} scaling_config.maximum_concurrency is ${maximum}, above ${fn.address} reserved_concurrent_executions ${reserved}; ` +
            `expected at most ${reserved}`,
        );
      }
    }
  }

  private dlqAlarms(): void {
    const deadLetterQueues = new Map<ResourceNode, ResourceNode[]>();
    for (const redrive of this.redrives) {
      for (const target of redrive.targets)
        deadLetterQueues.set(target, [...(deadLetterQueues.get(target) ?? []), ...redrive.sources]);
    }
    const alarms = this.graph.live("aws_cloudwatch_metric_alarm");
    // An alarm on the metric whose queue the plan cannot tell might be any DLQ's: no finding then.
    if (
      alarms.some(
        (alarm) => this.graph.valueOf(alarm, "metric_name") === DEPTH_METRIC && this.unresolvedDimension(alarm),
      )
    )
      return;
    for (const [queue, sources] of deadLetterQueues) {
      if (alarms.some((alarm) => this.watchesDepth(alarm, queue))) continue;
      const of = [...new Set(sources.map((source) => source.address))].join(", ");
      this.add(
        "dlq-alarm-missing",
        queue.address,
        `${queue.address} is the dead-letter queue${of ? ` of ${of}` : ""} but no aws_cloudwatch_metric_alarm watches its ApproximateNumberOfMessagesVisible; ` +
          `expected an alarm with dimension QueueName = its name`,
      );
    }
  }

  private unresolvedDimension(alarm: ResourceNode): boolean {
    const known = this.graph.valueAt(alarm, ["dimensions", "QueueName"]);
    return (
      known === undefined &&
      this.graph.resolve(alarm.modulePath, alarm.expressions?.dimensions).length === 0 &&
      this.graph.isSet(alarm, "dimensions")
    );
  }

  /** Whether an alarm's metric (or one of its metric queries) is the queue's visible-message count. */
  private watchesDepth(alarm: ResourceNode, queue: ResourceNode): boolean {
    const METRIC = DEPTH_METRIC;
    const name = this.graph.valueOf(queue, "name");
    const refersToQueue = (expression: unknown) =>
      this.graph.referenced(alarm.modulePath, expression, [QUEUE]).includes(queue);
    const keyed = (expression: unknown) => {
      const constant = (expression as { constant_value?: unknown } | undefined)?.constant_value;
      return constant === undefined || (typeof constant === "object" && constant !== null && "QueueName" in constant);
    };
    // The metric itself.
    if (this.graph.valueOf(alarm, "metric_name") === METRIC) {
      const known = this.graph.valueAt(alarm, ["dimensions", "QueueName"]);
      if (typeof known === "string" && known === name) return true;
      const expression = alarm.expressions?.dimensions;
      if (known === undefined && refersToQueue(expression) && keyed(expression)) return true;
    }
    // Metric math: metric_query blocks with a metric.
    const queries = this.graph.valueAt(alarm, ["metric_query"]);
    if (Array.isArray(queries)) {
      for (let i = 0; i < queries.length; i++) {
        const metric = this.graph.valueAt(alarm, ["metric_query", i, "metric", 0]) as
          | Record<string, unknown>
          | undefined;
        if (metric?.metric_name !== METRIC) continue;
        const known = (metric.dimensions as Record<string, unknown> | null | undefined)?.QueueName;
        if (typeof known === "string" && known === name) return true;
      }
    }
    const configured = Array.isArray(alarm.expressions?.metric_query)
      ? (alarm.expressions.metric_query as Record<string, unknown>[])
      : [];
    for (const query of configured) {
      for (const metric of Array.isArray(query.metric) ? (query.metric as Record<string, unknown>[]) : []) {
        if (constantOf(metric.metric_name) === METRIC && refersToQueue(metric.dimensions) && keyed(metric.dimensions))
          return true;
      }
    }
    return false;
  }

  private logRetention(): void {
    for (const group of this.graph.live("aws_cloudwatch_log_group")) {
      const retention = this.graph.valueOf(group, "retention_in_days");
      if (retention !== null && retention !== 0) continue;
      this.add(
        "log-retention-unset",
        group.address,
        `${group.address} retention_in_days is ${retention === null || unset(group, "retention_in_days") ? "unset" : "0"} (logs never expire); ` +
          `expected a retention in days, e.g. 30`,
      );
    }
  }

  private statefulDestroy(): void {
    const severity: Severity = this.options.environment === "prod" ? "blocking" : "warning";
    for (const node of [...this.graph.nodes, ...this.graph.deposed]) {
      if (node.mode !== "managed" || !node.actions.includes("delete")) continue;
      if (node.type !== QUEUE && node.type !== "aws_dynamodb_table") continue;
      const address = node.address + (node.deposed ? ` (deposed ${node.deposed})` : "");
      const name = node.before?.name;
      const create = node.actions.indexOf("create");
      const what =
        create === -1
          ? "destroyed"
          : create > node.actions.indexOf("delete")
            ? "replaced (destroyed, then created)"
            : "replaced (created, then the old one destroyed)";
      const lost = node.type === QUEUE ? "its messages are lost" : "its items are lost";
      const protectedTable =
        node.type === "aws_dynamodb_table" && node.before?.deletion_protection_enabled === true
          ? " (deletion protection is on: the apply will fail)"
          : "";
      this.add(
        "stateful-destroy",
        address,
        `${address}${typeof name === "string" ? ` (${json(name)})` : ""} will be ${what}${because(node)}: ${lost}${protectedTable}; ` +
          `expected an in-place change, or a migration that moves the ${node.type === QUEUE ? "messages" : "data"} first` +
          (severity === "warning" ? ` (blocking in prod)` : ""),
        severity,
      );
    }
  }
}

/** True when the plan's configuration shows the attribute is not set (so its value is the default). */
function unset(node: ResourceNode, name: string): boolean {
  return node.expressions !== undefined && node.expressions[name] === undefined;
}

function deniesInsecureTransport(statement: Statement): boolean {
  return (
    statement.effect === "Deny" &&
    statement.conditions.some(
      (condition) =>
        (condition.test === "Bool" || condition.test === "BoolIfExists") &&
        condition.variable?.toLowerCase() === "aws:securetransport" &&
        condition.values.includes("false"),
    )
  );
}

function because(node: ResourceNode): string {
  const paths = node.replacePaths.map((path) =>
    path
      .map((step) => (typeof step === "number" ? `[${step}]` : String(step)))
      .join(".")
      .replace(/\.\[/g, "["),
  );
  switch (node.actionReason) {
    case "replace_because_cannot_update":
      return paths.length > 0
        ? ` because ${paths.join(", ")} cannot change in place`
        : " because a change cannot be made in place";
    case "replace_because_tainted":
      return " because it is tainted";
    case "replace_by_request":
      return " because a replace was requested";
    case "replace_by_triggers":
      return " because of replace_triggered_by";
    case "delete_because_no_resource_config":
      return " because its configuration was removed";
    case "delete_because_no_module":
      return " because its module was removed";
    case "delete_because_count_index":
    case "delete_because_each_key":
      return " because its count index or for_each key is gone";
    case "delete_because_wrong_repetition":
      return " because its count or for_each changed";
    case undefined:
      return paths.length > 0 ? ` because ${paths.join(", ")} cannot change in place` : "";
    default:
      return ` (${node.actionReason})`;
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
