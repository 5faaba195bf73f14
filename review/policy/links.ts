/**
 * The links the rules share: which queue redrives to which dead-letter queue, and which queues and
 * functions each event source mapping joins. Found through known values (ARNs, URLs, names) and
 * through configuration references, since those values are unknown until apply in a plan of new resources.
 */
import { holdsUnknown, replaceInterpolations } from "./expressions.js";
import { type Links, linked, NO_LINKS, type PlanGraph, type ResourceNode } from "./plan-graph.js";
import { FUNCTION, MAPPING, QUEUE, QUEUES } from "./resource-kinds.js";

interface Redrive {
  /** The queue with an inline `redrive_policy`, or the `aws_sqs_queue_redrive_policy`. */
  readonly declaredAt: ResourceNode;
  readonly sources: Links;
  readonly targets: Links;
  /** The known `deadLetterTargetArn`, when the plan shows it. */
  readonly targetArn: string | undefined;
}

interface Mapping {
  readonly node: ResourceNode;
  /** The mapping reads from SQS (a queue of this plan, an SQS ARN, or a source that can be nothing else). */
  readonly sqs: boolean;
  readonly queues: Links;
  readonly functions: Links;
}

/** A plan with its redrives and mappings linked: what every rule reads. */
export interface LinkedPlan {
  readonly graph: PlanGraph;
  readonly redrives: readonly Redrive[];
  readonly mappings: readonly Mapping[];
}

export function linkPlan(graph: PlanGraph): LinkedPlan {
  return {
    graph,
    redrives: findRedrives(graph),
    mappings: graph.live(MAPPING).map((node) => describeMapping(graph, node)),
  };
}

/** True when an attribute's target is unknown and its expression refers to nothing this plan resolves. */
export function unresolved(graph: PlanGraph, node: ResourceNode, name: string): boolean {
  const attribute = graph.attribute(node, name);
  return !attribute.known && graph.resolve(node, attribute.expression).length === 0;
}

function findRedrives(graph: PlanGraph): Redrive[] {
  const redrives: Redrive[] = [];
  for (const queue of graph.live(QUEUE)) {
    // A queue's redrive_policy is also computed from a separate aws_sqs_queue_redrive_policy:
    // only a configured one (or any, when the plan has no configuration) is an inline redrive.
    const inline = queue.expressions ? queue.expressions.redrive_policy !== undefined : true;
    if (inline && graph.isSet(queue, "redrive_policy")) {
      const sources: Links = { exact: [queue], possible: [] };
      redrives.push({ declaredAt: queue, sources, ...redriveTargets(graph, queue, sources) });
    }
  }
  for (const resource of graph.live("aws_sqs_queue_redrive_policy")) {
    if (!graph.isSet(resource, "redrive_policy")) continue;
    const sources = graph.links(resource, "queue_url", [QUEUE]);
    redrives.push({ declaredAt: resource, sources, ...redriveTargets(graph, resource, sources) });
  }
  return redrives;
}

function redriveTargets(
  graph: PlanGraph,
  node: ResourceNode,
  sources: Links,
): { targets: Links; targetArn: string | undefined } {
  const attribute = graph.attribute(node, "redrive_policy");
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
  const referenced = attribute.known ? NO_LINKS : graph.referenced(node, attribute.expression, [QUEUE]);
  const source = new Set(linked(sources));
  const exact = new Set([...(targetArn ? graph.matching(targetArn, [QUEUE]) : []), ...referenced.exact]);
  return {
    targets: {
      exact: [...exact].filter((target) => !source.has(target)),
      possible: referenced.possible.filter((target) => !exact.has(target) && !source.has(target)),
    },
    targetArn,
  };
}

function describeMapping(graph: PlanGraph, node: ResourceNode): Mapping {
  const queues = graph.links(node, "event_source_arn", QUEUES);
  const targets = graph.links(node, "function_name", [FUNCTION, "aws_lambda_alias"]);
  // A function reached through an alias is as certain as the alias and the alias's own link.
  const exact = new Set<ResourceNode>();
  const possible = new Set<ResourceNode>();
  for (const [certain, list] of [
    [true, targets.exact],
    [false, targets.possible],
  ] as const) {
    for (const target of list) {
      if (target.type !== "aws_lambda_alias") (certain ? exact : possible).add(target);
      else {
        const functions = graph.links(target, "function_name", [FUNCTION]);
        for (const fn of functions.exact) (certain ? exact : possible).add(fn);
        for (const fn of functions.possible) possible.add(fn);
      }
    }
  }
  return {
    node,
    sqs: linked(queues).length > 0 || isSqsSource(graph, node),
    queues,
    functions: { exact: [...exact], possible: [...possible].filter((fn) => !exact.has(fn)) },
  };
}

/** Whether a mapping reads from SQS when its source is not a queue of this plan. */
function isSqsSource(graph: PlanGraph, node: ResourceNode): boolean {
  const source = graph.attribute(node, "event_source_arn");
  if (source.known) return typeof source.value === "string" && /^arn:[^:]+:sqs:/.test(source.value);
  const referenced = graph.resolve(node, source.expression);
  if (referenced.length > 0) return referenced.some((address) => /(^|\.)(data\.)?aws_sqs_queue\.[^.]+$/.test(address));
  // Unresolvable (a local, a variable of the root): streams, Kafka and MQ sources need these.
  return ["starting_position", "topics", "queues", "self_managed_event_source"].every(
    (name) => !graph.isSet(node, name),
  );
}
