/**
 * Policy statements as far as a plan shows them: parsed from a known JSON string, or read from the
 * `aws_iam_policy_document` data source that feeds the attribute (its planned `statement` blocks,
 * or its configuration), since that document's `json` is only known at apply in a plan of new
 * resources.
 */
import { constantOf, holdsUnknown, referencesOf, replaceInterpolations, soleInterpolation } from "./expressions.js";
import type { PlanGraph, ResourceNode } from "./plan-graph.js";

/**
 * One statement. In the action and resource lists, `undefined` marks an element known only at apply
 * whose text the plan does not show, and a string may hold {@link holdsUnknown} markers where a
 * configuration template interpolates a value known only at apply (`${aws_s3_bucket.b.arn}/*`).
 */
export interface Statement {
  readonly sid: string | undefined;
  /** "Allow" or "Deny" as written (IAM reads it case-sensitively); undefined when unknown. */
  readonly effect: string | undefined;
  readonly actions: readonly (string | undefined)[];
  readonly notActions: readonly (string | undefined)[];
  readonly resources: readonly (string | undefined)[];
  readonly notResources: readonly (string | undefined)[];
  readonly conditions: readonly Condition[];
  /** Keys of a JSON statement that are not IAM policy elements, e.g. a lower-case `action`. */
  readonly unexpectedKeys: readonly string[];
  /** Where it was read: the policy attribute's resource, or the policy document data source. */
  readonly source: string;
  /** The node whose configuration the statement's interpolations are evaluated in. */
  readonly scope: ResourceNode;
}

/** A policy as far as the plan shows it: its statements, or why they cannot be read. */
export type PolicyReading =
  | { readonly statements: Statement[]; readonly unreadable?: undefined }
  | { readonly statements?: undefined; readonly unreadable: string };

/** IAM's statement elements; their names are case-sensitive literals of the policy grammar. */
const STATEMENT_ELEMENTS = new Set([
  "Sid",
  "Effect",
  "Principal",
  "NotPrincipal",
  "Action",
  "NotAction",
  "Resource",
  "NotResource",
  "Condition",
]);

interface Condition {
  readonly test: string | undefined;
  readonly variable: string | undefined;
  readonly values: readonly (string | undefined)[];
}

const DOCUMENT = "data.aws_iam_policy_document";

function strings(value: unknown): (string | undefined)[] {
  const list = Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
  return list.map((item) => (typeof item === "string" && !holdsUnknown(item) ? item : undefined));
}

/** Action and resource lists: template markers kept, so that the literal parts can still be judged. */
function elements(value: unknown): (string | undefined)[] {
  const list = Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
  return list.map((item) => (typeof item === "string" ? item : undefined));
}

function optionalString(value: unknown): string | undefined {
  return typeof value === "string" && !holdsUnknown(value) ? value : undefined;
}

/**
 * Statements of an IAM policy JSON string, or why it is not one. A `template` (a JSON syntax
 * constant) has its `${...}` interpolations read as unknown; in a known value they are IAM policy
 * variables and stay as they are.
 */
function parsePolicyJson(text: string, scope: ResourceNode, template = false): PolicyReading {
  const source = scope.address;
  let document: unknown;
  try {
    document = JSON.parse(template ? replaceInterpolations(text) : text);
  } catch {
    return { unreadable: `${source}: the policy is not JSON${template ? " the plan can show" : ""}` };
  }
  if (typeof document !== "object" || document === null || Array.isArray(document))
    return { unreadable: `${source}: the policy is not a JSON object` };
  if (!("Statement" in document)) {
    const keys = Object.keys(document).filter((key) => !["Version", "Id"].includes(key));
    return {
      unreadable: `${source}: the policy has no "Statement"${keys.length > 0 ? ` (it has ${keys.map((key) => JSON.stringify(key)).join(", ")})` : ""}`,
    };
  }
  const raw = (document as { Statement: unknown }).Statement;
  const list = Array.isArray(raw) ? raw : [raw];
  if (list.some((item) => typeof item !== "object" || item === null || Array.isArray(item)))
    return { unreadable: `${source}: a statement is not a JSON object` };
  return {
    statements: (list as Record<string, unknown>[]).map((item) => ({
      sid: optionalString(item.Sid),
      effect: optionalString(item.Effect),
      actions: elements(item.Action),
      notActions: elements(item.NotAction),
      resources: elements(item.Resource),
      notResources: elements(item.NotResource),
      conditions: Object.entries(
        typeof item.Condition === "object" && item.Condition !== null ? item.Condition : {},
      ).flatMap(([test, variables]) =>
        Object.entries(typeof variables === "object" && variables !== null ? (variables as object) : {}).map(
          ([variable, values]) => ({
            test,
            variable,
            values: strings(values),
          }),
        ),
      ),
      unexpectedKeys: Object.keys(item).filter((key) => !STATEMENT_ELEMENTS.has(key)),
      source,
      scope,
    })),
  };
}

/**
 * The statements an attribute holding a policy grants, or why the plan cannot show them. Known only
 * after apply, it is read from its configuration when that is JSON the plan shows (a JSON-syntax
 * template), or exactly one `aws_iam_policy_document`'s `json`: anything more in the expression (a
 * variable, a condition, a function of other values) may change what it grants.
 */
export function readPolicy(
  graph: PlanGraph,
  node: ResourceNode,
  known: { known: true; value: unknown } | { known: false },
  expression: unknown,
): PolicyReading {
  if (known.known) {
    if (known.value === null || known.value === "") return { statements: [] };
    if (typeof known.value !== "string") return { unreadable: `${node.address}: the policy is not a string` };
    return parsePolicyJson(known.value, node);
  }
  const constant =
    typeof expression === "object" && expression !== null
      ? (expression as { constant_value?: unknown }).constant_value
      : undefined;
  if (typeof constant === "string" && soleInterpolation(replaceInterpolations(constant)) === undefined)
    return parsePolicyJson(constant, node, true);
  const [document, ...more] = graph.exactly(node, expression, "json", [DOCUMENT]) ?? [];
  if (document !== undefined && more.length === 0) return documentStatements(graph, document, new Set());
  const references = referencesOf(expression);
  return {
    unreadable:
      `${node.address}: the policy is known only after apply, and its configuration is neither exactly an ` +
      `aws_iam_policy_document's json nor JSON the plan shows${references.length > 0 ? ` (it refers to ${references.join(", ")})` : ""}`,
  };
}

/** The statements of an `aws_iam_policy_document`, including the documents it merges. */
function documentStatements(graph: PlanGraph, document: ResourceNode, seen: ReadonlySet<string>): PolicyReading {
  if (seen.has(document.address)) return { statements: [] };
  const visited = new Set([...seen, document.address]);
  const json = graph.attribute(document, "json");
  if (json.known && typeof json.value === "string" && json.value !== "") return parsePolicyJson(json.value, document);

  const own = plannedStatements(graph, document) ?? configuredStatements(document);
  if (!own)
    return {
      unreadable: `${document.address}: its statements are known only after apply and not configured as blocks`,
    };
  const out = [...own];
  for (const name of ["source_policy_documents", "override_policy_documents", "source_json", "override_json"]) {
    const attribute = graph.attribute(document, name);
    // A list may be known but for some elements: those are read from the configuration.
    const mask = (document.unknown as Record<string, unknown> | undefined)?.[name];
    const someUnknown = !attribute.known || (Array.isArray(mask) && mask.includes(true));
    if (attribute.known) {
      const texts = Array.isArray(attribute.value) ? attribute.value : [attribute.value];
      for (const [index, text] of texts.entries()) {
        if (Array.isArray(mask) && mask[index] === true) continue;
        if (text === null || text === "") continue;
        if (typeof text !== "string") return { unreadable: `${document.address}: ${name} holds a non-string` };
        const parsed = parsePolicyJson(text, document);
        if (parsed.unreadable !== undefined) return parsed;
        out.push(...parsed.statements);
      }
    }
    const expression = document.expressions?.[name];
    if (someUnknown && expression !== undefined) {
      const merged = graph.exactly(document, expression, "json", [DOCUMENT]);
      if (merged === undefined) {
        const references = referencesOf(expression);
        return {
          unreadable: `${document.address}: ${name} is known only after apply and is not exactly policy documents' json${references.length > 0 ? ` (it refers to ${references.join(", ")})` : ""}`,
        };
      }
      for (const other of merged) {
        const statements = documentStatements(graph, other, visited);
        if (statements.unreadable !== undefined) return statements;
        out.push(...statements.statements);
      }
    }
  }
  return { statements: out };
}

/**
 * The data source's planned `statement` blocks. An element known only at apply is read from the
 * configuration when its blocks line up with the planned ones (a JSON-syntax template such as
 * `${aws_s3_bucket.b.arn}/*` still shows its literal parts), else it stays undefined.
 */
function plannedStatements(graph: PlanGraph, document: ResourceNode): Statement[] | undefined {
  if (!graph.attribute(document, "statement").known) return undefined;
  const blocks = document.values.statement;
  if (!Array.isArray(blocks)) return [];
  const configured = configuredStatements(document);
  const aligned = configured?.length === blocks.length ? configured : undefined;
  return blocks.map((_block, index) => {
    const at = (...path: (string | number)[]) => graph.valueAt(document, ["statement", index, ...path]);
    const config = aligned?.[index];
    const list = (name: string, fallback: readonly (string | undefined)[] | undefined) => {
      const value = at(name);
      if (!Array.isArray(value)) return at(name) === undefined && fallback ? [...fallback] : [];
      return value.map((_item, i) => {
        const item = at(name, i);
        if (typeof item === "string") return item;
        return fallback?.length === value.length ? fallback[i] : undefined;
      });
    };
    const conditions = at("condition");
    return {
      sid: optionalString(at("sid")) || undefined,
      effect: optionalString(at("effect")) ?? (at("effect") === null ? "Allow" : undefined),
      actions: list("actions", config?.actions),
      notActions: list("not_actions", config?.notActions),
      resources: list("resources", config?.resources),
      notResources: list("not_resources", config?.notResources),
      conditions: (Array.isArray(conditions) ? conditions : []).map((_c, i) => {
        const values = at("condition", i, "values");
        return {
          test: optionalString(at("condition", i, "test")),
          variable: optionalString(at("condition", i, "variable")),
          values: Array.isArray(values) ? values.map((_v, j) => optionalString(at("condition", i, "values", j))) : [],
        };
      }),
      unexpectedKeys: [],
      source: document.address,
      scope: document,
    };
  });
}

/** The data source's `statement` blocks as configured (constants only). */
function configuredStatements(document: ResourceNode): Statement[] | undefined {
  const blocks = document.expressions?.statement;
  if (!Array.isArray(blocks)) return undefined;
  return blocks.map((block: Record<string, unknown>) => {
    const conditions = Array.isArray(block.condition) ? (block.condition as Record<string, unknown>[]) : [];
    return {
      sid: optionalString(constantOf(block.sid)),
      effect: block.effect === undefined ? "Allow" : optionalString(constantOf(block.effect)),
      actions: configuredElements(block.actions),
      notActions: configuredElements(block.not_actions),
      resources: configuredElements(block.resources),
      notResources: configuredElements(block.not_resources),
      conditions: conditions.map((condition) => ({
        test: optionalString(constantOf(condition.test)),
        variable: optionalString(constantOf(condition.variable)),
        values: strings(configuredElements(condition.values)),
      })),
      unexpectedKeys: [],
      source: document.address,
      scope: document,
    };
  });
}

/**
 * A configured list of strings, JSON-syntax interpolations marked (see {@link holdsUnknown}); a
 * non-constant expression (HCL, a function) is one element the plan does not show.
 */
function configuredElements(expression: unknown): (string | undefined)[] {
  if (expression === undefined) return [];
  if (typeof expression !== "object" || expression === null || !("constant_value" in expression)) return [undefined];
  const constant = (expression as { constant_value: unknown }).constant_value;
  if (constant === null) return [];
  const list = Array.isArray(constant) ? constant : [constant];
  return list.map((item) => (typeof item === "string" ? replaceInterpolations(item) : undefined));
}
