/**
 * Rules on the queues themselves: a consumed queue has a dead-letter queue of its own type, is
 * encrypted at rest, and refuses requests made without TLS.
 */
import { unresolved } from "../links.js";
import { linked, type PlanGraph, type ResourceNode } from "../plan-graph.js";
import { type PolicyReading, readPolicy, type Statement } from "../policy-statements.js";
import { QUEUE } from "../resource-kinds.js";
import { isFifo, listOf } from "../resource-values.js";
import type { Rule, Violation } from "../rule.js";

export const dlqMissing: Rule = {
  id: "dlq-missing",
  severity: "blocking",
  reason: "A queue a Lambda consumes needs a redrive policy, or a poison message is retried until it expires.",
  check: ({ graph, redrives, mappings }) => {
    // A redrive resource whose queue the plan cannot tell at all (queue_url from a local, say) might
    // be any queue's: no finding then.
    if (
      redrives.some(
        (redrive) => linked(redrive.sources).length === 0 && unresolved(graph, redrive.declaredAt, "queue_url"),
      )
    )
      return [];
    // Only a redrive certainly of this instance counts: never a sibling's, nor one that refers to the
    // collection without saying which instance.
    const redriven = new Set(redrives.flatMap((redrive) => redrive.sources.exact));
    const unsure = new Map<ResourceNode, Set<string>>();
    for (const redrive of redrives)
      for (const queue of redrive.sources.possible) add(unsure, queue, redrive.declaredAt.address);
    const consumers = new Map<ResourceNode, Set<string>>();
    const maybeConsumers = new Map<ResourceNode, Set<string>>();
    for (const mapping of mappings) {
      if (!mapping.sqs) continue;
      for (const queue of mapping.queues.exact) if (queue.kind === QUEUE) add(consumers, queue, mapping.node.address);
      // A mapping that may read this instance is enough to need its DLQ: a missing one is not hidden
      // because the mapping's reference does not say which instance it reads.
      for (const queue of mapping.queues.possible)
        if (queue.kind === QUEUE) add(maybeConsumers, queue, mapping.node.address);
    }
    const violations: Violation[] = [];
    for (const queue of new Set([...consumers.keys(), ...maybeConsumers.keys()])) {
      if (redriven.has(queue)) continue;
      const certain = consumers.get(queue) ?? new Set();
      const maybe = [...(maybeConsumers.get(queue) ?? [])].filter((address) => !certain.has(address));
      const consumed =
        certain.size > 0
          ? `is consumed by ${listOf(certain)}${maybe.length > 0 ? ` (and maybe by ${listOf(maybe)})` : ""}`
          : `may be consumed by ${listOf(maybe)} (${maybe.length > 1 ? "they refer" : "it refers"} to ${queue.configAddress} without saying which instance)`;
      const notCounted = unsure.has(queue)
        ? `; ${listOf(unsure.get(queue) ?? [])} refers to ${queue.configAddress} without saying which instance, so it is not counted`
        : "";
      violations.push({
        address: queue.address,
        message:
          `${queue.address} ${consumed} but has no redrive policy (no redrive_policy, no aws_sqs_queue_redrive_policy for it${notCounted}); ` +
          `expected a redrive to a dead-letter queue with a maxReceiveCount`,
      });
    }
    return violations;
  },
};

export const dlqTypeMismatch: Rule = {
  id: "dlq-type-mismatch",
  severity: "blocking",
  reason: "SQS only redrives a FIFO queue to a FIFO dead-letter queue and a standard queue to a standard one.",
  check: ({ graph, redrives }) => {
    const type = (fifo: boolean) => (fifo ? "FIFO" : "standard");
    const violations: Violation[] = [];
    for (const redrive of redrives) {
      // Only certain pairs: a queue is never judged against a sibling's dead-letter queue.
      const targets: { label: string; fifo: boolean | undefined }[] = redrive.targets.exact.map((target) => ({
        label: target.address,
        fifo: isFifo(graph, target),
      }));
      if (targets.length === 0 && redrive.targetArn)
        targets.push({ label: redrive.targetArn, fifo: redrive.targetArn.endsWith(".fifo") });
      for (const source of redrive.sources.exact) {
        const sourceFifo = isFifo(graph, source);
        for (const target of targets) {
          if (sourceFifo === undefined || target.fifo === undefined || sourceFifo === target.fifo) continue;
          const via = redrive.declaredAt === source ? "" : ` (${redrive.declaredAt.address})`;
          violations.push({
            address: redrive.declaredAt.address,
            message:
              `${source.address} is a ${type(sourceFifo)} queue but its redrive${via} targets ${target.label}, a ${type(target.fifo)} queue; ` +
              `expected a ${type(sourceFifo)} dead-letter queue`,
          });
        }
      }
    }
    return violations;
  },
};

export const encryptionOff: Rule = {
  id: "encryption-off",
  severity: "blocking",
  reason: "Queues are encrypted at rest, with SQS-managed keys or a KMS key.",
  check: ({ graph }) =>
    graph
      .live(QUEUE)
      .filter(
        (queue) =>
          graph.valueOf(queue, "sqs_managed_sse_enabled") === false && !graph.isSet(queue, "kms_master_key_id"),
      )
      .map((queue) => ({
        address: queue.address,
        message:
          `${queue.address} sqs_managed_sse_enabled is false and kms_master_key_id is unset; ` +
          `expected sqs_managed_sse_enabled = true or a kms_master_key_id`,
      })),
};

export const nonTlsAllowed: Rule = {
  id: "non-tls-allowed",
  severity: "advisory",
  reason: "A queue policy should deny every request made without TLS (aws:SecureTransport = false).",
  check: ({ graph }) => {
    const policies = graph.live("aws_sqs_queue_policy").map((policy) => ({
      policy,
      queues: graph.links(policy, "queue_url", [QUEUE]),
    }));
    // A policy whose queue the plan cannot tell at all might be any queue's.
    const unresolvedPolicy = policies.some(
      ({ policy, queues }) => linked(queues).length === 0 && unresolved(graph, policy, "queue_url"),
    );
    // Only a policy certainly of this instance applies to it.
    const byQueue = new Map<ResourceNode, ResourceNode[]>();
    for (const { policy, queues } of policies)
      for (const queue of queues.exact) byQueue.set(queue, [...(byQueue.get(queue) ?? []), policy]);
    const violations: Violation[] = [];
    for (const queue of graph.live(QUEUE)) {
      const sources = policiesOf(graph, byQueue.get(queue) ?? [], queue, unresolvedPolicy);
      // Cannot tell: a policy for a queue the plan cannot resolve may be this one's.
      if (sources === undefined) continue;
      if (sources.some((source) => source.reading.statements?.some(deniesInsecureTransport))) continue;
      const unreadable = sources.filter((source) => source.reading.unreadable !== undefined);
      if (unreadable.length > 0) {
        violations.push({
          address: queue.address,
          message:
            `${queue.address}: cannot tell whether its policy denies requests without TLS: the plan cannot show ` +
            `${unreadable.map((source) => `${source.address} (${source.reading.unreadable})`).join(", ")}; ` +
            `expected a queue policy the plan shows, with a Deny statement on condition Bool aws:SecureTransport = "false"`,
        });
        continue;
      }
      const found =
        sources.length === 0
          ? "has no queue policy"
          : `has a policy (${sources.map((source) => source.address).join(", ")}) without such a Deny`;
      violations.push({
        address: queue.address,
        message: `${queue.address} ${found}; expected a queue policy with a Deny statement on condition Bool aws:SecureTransport = "false"`,
      });
    }
    return violations;
  },
};

/**
 * The policies that apply to a queue (its `aws_sqs_queue_policy` resources and its inline policy), each
 * read as far as the plan shows it; undefined when a policy for a queue the plan cannot resolve may apply.
 */
function policiesOf(
  graph: PlanGraph,
  policies: readonly ResourceNode[],
  queue: ResourceNode,
  unresolvedPolicy: boolean,
): { address: string; reading: PolicyReading }[] | undefined {
  const sources: { address: string; reading: PolicyReading }[] = [];
  for (const policy of policies) {
    const attribute = graph.attribute(policy, "policy");
    sources.push({
      address: policy.address,
      reading: readPolicy(graph, policy, attribute, attribute.known ? undefined : attribute.expression),
    });
  }
  const inline = graph.attribute(queue, "policy");
  // Not in the configuration, the attribute only mirrors the state: a real one is JSON (what an
  // aws_sqs_queue_policy wrote), anything else is no policy (a review's stand-in for an unknown value).
  const mirrorsStateOnly = inline.known && queue.expressions?.policy === undefined && !isJsonText(inline.value);
  if (inline.known ? graph.isSet(queue, "policy") && !mirrorsStateOnly : inline.configured) {
    sources.push({
      address: `${queue.address} policy`,
      reading: readPolicy(graph, queue, inline, inline.known ? undefined : inline.expression),
    });
  }
  if (sources.length === 0 && unresolvedPolicy) return undefined;
  return sources;
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

function add<K>(map: Map<K, Set<string>>, key: K, value: string): void {
  const set = map.get(key);
  if (set === undefined) map.set(key, new Set([value]));
  else set.add(value);
}

function isJsonText(value: unknown): boolean {
  if (typeof value !== "string") return false;
  try {
    JSON.parse(value);
    return true;
  } catch {
    return false;
  }
}
