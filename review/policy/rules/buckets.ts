/**
 * Rules on S3 buckets (the dead-letter archive, or any other): each states its encryption, and blocks
 * every kind of public access. A setting resource whose bucket the plan cannot tell might be any
 * bucket's: no finding then, as for queue policies.
 */
import { constantOf } from "../expressions.js";
import { unresolved } from "../links.js";
import { linked, type PlanGraph, type ResourceNode } from "../plan-graph.js";
import { json } from "../resource-values.js";
import type { Rule } from "../rule.js";

const BUCKET = "aws_s3_bucket";
const ENCRYPTION = "aws_s3_bucket_server_side_encryption_configuration";
const PUBLIC_ACCESS_BLOCK = "aws_s3_bucket_public_access_block";
const ALGORITHMS = ["AES256", "aws:kms", "aws:kms:dsse"];
const BLOCKS = ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"] as const;

export const bucketEncryptionMissing: Rule = {
  id: "bucket-encryption-missing",
  severity: "blocking",
  reason:
    "A bucket states its server-side encryption (SSE-S3 or SSE-KMS) in an aws_s3_bucket_server_side_encryption_configuration.",
  check: ({ graph }) => {
    const settings = settingsByBucket(graph, ENCRYPTION);
    if (settings === undefined) return [];
    return graph.live(BUCKET).flatMap((bucket) => {
      if (inlineEncryption(bucket)) return [];
      const configurations = settings.get(bucket) ?? [];
      const algorithms = configurations.map((configuration) => algorithmOf(graph, configuration));
      // Known only at apply: a value of the configuration, which the plan will show once it exists.
      if (
        algorithms.some(
          (algorithm) => algorithm === undefined || (typeof algorithm === "string" && ALGORITHMS.includes(algorithm)),
        )
      )
        return [];
      const found =
        configurations.length === 0
          ? "has no aws_s3_bucket_server_side_encryption_configuration"
          : `has ${listed(configurations)} without a default algorithm (apply_server_side_encryption_by_default.sse_algorithm: ${algorithms.map((algorithm) => json(algorithm ?? "none")).join(", ")})`;
      return [
        {
          address: bucket.address,
          message: `${bucket.address} ${found}; expected one with sse_algorithm ${ALGORITHMS.map((a) => json(a)).join(" or ")}`,
        },
      ];
    });
  },
};

export const bucketPublicAccessOpen: Rule = {
  id: "bucket-public-access-open",
  severity: "blocking",
  reason:
    "A bucket has an aws_s3_bucket_public_access_block with block_public_acls, block_public_policy, ignore_public_acls and restrict_public_buckets all true.",
  check: ({ graph }) => {
    const settings = settingsByBucket(graph, PUBLIC_ACCESS_BLOCK);
    if (settings === undefined) return [];
    return graph.live(BUCKET).flatMap((bucket) => {
      const blocks = settings.get(bucket) ?? [];
      if (blocks.some((block) => openSettings(graph, block).length === 0)) return [];
      const found =
        blocks.length === 0
          ? "has no aws_s3_bucket_public_access_block"
          : blocks
              .map((block) => `${block.address} leaves ${openSettings(graph, block).join(", ")} not true`)
              .join("; ");
      return [
        {
          address: bucket.address,
          message: `${bucket.address} ${found}; expected a public access block with ${BLOCKS.join(", ")} all true`,
        },
      ];
    });
  },
};

/**
 * The setting resources of a kind, by the bucket each is certainly for (by reference, or by a known
 * bucket name); undefined when one refers to a bucket the plan cannot tell.
 */
function settingsByBucket(graph: PlanGraph, kind: string): Map<ResourceNode, ResourceNode[]> | undefined {
  const byBucket = new Map<ResourceNode, ResourceNode[]>();
  const byName = new Map<string, ResourceNode[]>();
  for (const bucket of graph.live(BUCKET)) {
    const name = graph.valueOf(bucket, "bucket");
    if (typeof name === "string" && name !== "") byName.set(name, [...(byName.get(name) ?? []), bucket]);
  }
  for (const setting of graph.live(kind)) {
    const links = graph.links(setting, "bucket", [BUCKET]);
    const name = graph.valueOf(setting, "bucket");
    const buckets = [...links.exact, ...(typeof name === "string" ? (byName.get(name) ?? []) : [])];
    if (buckets.length === 0 && linked(links).length === 0 && unresolved(graph, setting, "bucket")) return undefined;
    for (const bucket of new Set(buckets)) byBucket.set(bucket, [...(byBucket.get(bucket) ?? []), setting]);
  }
  return byBucket;
}

/** The deprecated inline block, when configured: its algorithm is the bucket's own. */
function inlineEncryption(bucket: ResourceNode): boolean {
  const configured = bucket.expressions?.server_side_encryption_configuration;
  return Array.isArray(configured) && configured.length > 0;
}

/** The algorithm of the configuration's first rule: null when it has none, undefined when known only at apply. */
function algorithmOf(graph: PlanGraph, configuration: ResourceNode): string | undefined | null {
  const byDefault = graph.valueAt(configuration, ["rule", 0, "apply_server_side_encryption_by_default"]);
  if (Array.isArray(byDefault)) {
    if (byDefault.length === 0) return null;
    const planned = graph.valueAt(configuration, [
      "rule",
      0,
      "apply_server_side_encryption_by_default",
      0,
      "sse_algorithm",
    ]);
    if (typeof planned === "string") return planned;
  }
  const rules = configuration.expressions?.rule;
  const configured = Array.isArray(rules)
    ? (rules[0] as Record<string, unknown> | undefined)?.apply_server_side_encryption_by_default
    : undefined;
  if (Array.isArray(configured)) {
    const algorithm = constantOf((configured[0] as Record<string, unknown> | undefined)?.sse_algorithm);
    if (typeof algorithm === "string") return algorithm;
  }
  return undefined;
}

/** The four settings a block leaves off (false or unset); one known only at apply counts as on. */
function openSettings(graph: PlanGraph, block: ResourceNode): string[] {
  return BLOCKS.filter((name) => {
    const attribute = graph.attribute(block, name);
    return attribute.known && attribute.value !== true;
  });
}

function listed(nodes: readonly ResourceNode[]): string {
  return nodes.map((node) => node.address).join(", ");
}
