/**
 * Policy statements as far as a plan shows them: parsed from a known JSON string, or read from the
 * `aws_iam_policy_document` data source that feeds the attribute (its planned `statement` blocks,
 * or its configuration), since that document's `json` is only known at apply in a plan of new
 * resources.
 */
import { constantOf, holdsUnknown, replaceInterpolations } from "./expressions.js";
import { linked, type PlanGraph, type ResourceNode } from "./plan-graph.js";

/** One statement; `undefined` in a list marks an element known only at apply. */
export interface Statement {
  readonly sid: string | undefined;
  /** "Allow" or "Deny"; undefined when unknown. */
  readonly effect: string | undefined;
  readonly actions: readonly (string | undefined)[];
  readonly notActions: readonly (string | undefined)[];
  readonly resources: readonly (string | undefined)[];
  readonly conditions: readonly Condition[];
  /** Where it was read: the policy attribute's resource, or the policy document data source. */
  readonly source: string;
}

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

function optionalString(value: unknown): string | undefined {
  return typeof value === "string" && !holdsUnknown(value) ? value : undefined;
}

/**
 * Statements of an IAM policy JSON string, or undefined when it is not one. A `template` (a JSON
 * syntax constant) has its `${...}` interpolations read as unknown; in a known value they are IAM
 * policy variables and stay as they are.
 */
function parsePolicyJson(text: string, source: string, template = false): Statement[] | undefined {
  let document: unknown;
  try {
    document = JSON.parse(template ? replaceInterpolations(text) : text);
  } catch {
    return undefined;
  }
  if (typeof document !== "object" || document === null || !("Statement" in document)) return undefined;
  const raw = (document as { Statement: unknown }).Statement;
  const list = Array.isArray(raw) ? raw : [raw];
  return list
    .filter((item): item is Record<string, unknown> => typeof item === "object" && item !== null)
    .map((item) => ({
      sid: optionalString(item.Sid),
      effect: optionalString(item.Effect),
      actions: strings(item.Action),
      notActions: strings(item.NotAction),
      resources: strings(item.Resource),
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
      source,
    }));
}

/**
 * The statements an attribute holding a policy grants: undefined when the plan cannot tell (a
 * variable, a function of unknown values).
 */
export function attributeStatements(
  graph: PlanGraph,
  node: ResourceNode,
  known: { known: true; value: unknown } | { known: false },
  expression: unknown,
  seen: ReadonlySet<string> = new Set(),
): Statement[] | undefined {
  if (known.known) {
    if (typeof known.value !== "string" || known.value === "") return [];
    return parsePolicyJson(known.value, node.address);
  }
  // Every document the attribute may read: a wildcard in any of them is granted, as far as the plan tells.
  const documents = linked(graph.referenced(node, expression, [DOCUMENT]));
  if (documents.length > 0) {
    const out: Statement[] = [];
    for (const document of documents) {
      const statements = documentStatements(graph, document, seen);
      if (!statements) return undefined;
      out.push(...statements);
    }
    return out;
  }
  const constant =
    typeof expression === "object" && expression !== null
      ? (expression as { constant_value?: unknown }).constant_value
      : undefined;
  return typeof constant === "string" ? parsePolicyJson(constant, node.address, true) : undefined;
}

/** The statements of an `aws_iam_policy_document`, including the documents it merges. */
function documentStatements(
  graph: PlanGraph,
  document: ResourceNode,
  seen: ReadonlySet<string> = new Set(),
): Statement[] | undefined {
  if (seen.has(document.address)) return [];
  const visited = new Set([...seen, document.address]);
  const json = graph.attribute(document, "json");
  if (json.known && typeof json.value === "string" && json.value !== "")
    return parsePolicyJson(json.value, document.address);

  const own = plannedStatements(graph, document) ?? configuredStatements(document);
  if (!own) return undefined;
  const out = [...own];
  for (const name of ["source_policy_documents", "override_policy_documents", "source_json", "override_json"]) {
    const attribute = graph.attribute(document, name);
    if (attribute.known) {
      const texts = Array.isArray(attribute.value) ? attribute.value : [attribute.value];
      for (const text of texts) {
        if (typeof text !== "string" || text === "") continue;
        const parsed = parsePolicyJson(text, document.address);
        if (!parsed) return undefined;
        out.push(...parsed);
      }
    } else if (attribute.configured) {
      const merged = linked(graph.referenced(document, attribute.expression, [DOCUMENT]));
      if (merged.length === 0) return undefined;
      for (const other of merged) {
        const statements = documentStatements(graph, other, visited);
        if (!statements) return undefined;
        out.push(...statements);
      }
    }
  }
  return out;
}

/** The data source's planned `statement` blocks, unknown elements as undefined. */
function plannedStatements(graph: PlanGraph, document: ResourceNode): Statement[] | undefined {
  if (!graph.attribute(document, "statement").known) return undefined;
  const blocks = document.values.statement;
  if (!Array.isArray(blocks)) return [];
  return blocks.map((_block, index) => {
    const at = (...path: (string | number)[]) => graph.valueAt(document, ["statement", index, ...path]);
    const list = (name: string) => {
      const value = at(name);
      if (!Array.isArray(value)) return [];
      return value.map((_item, i) => optionalString(at(name, i)));
    };
    const conditions = at("condition");
    return {
      sid: optionalString(at("sid")) || undefined,
      effect: optionalString(at("effect")) ?? (at("effect") === null ? "Allow" : undefined),
      actions: list("actions"),
      notActions: list("not_actions"),
      resources: list("resources"),
      conditions: (Array.isArray(conditions) ? conditions : []).map((_c, i) => {
        const values = at("condition", i, "values");
        return {
          test: optionalString(at("condition", i, "test")),
          variable: optionalString(at("condition", i, "variable")),
          values: Array.isArray(values) ? values.map((_v, j) => optionalString(at("condition", i, "values", j))) : [],
        };
      }),
      source: document.address,
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
      actions: configuredStrings(block.actions),
      notActions: configuredStrings(block.not_actions),
      resources: configuredStrings(block.resources),
      conditions: conditions.map((condition) => ({
        test: optionalString(constantOf(condition.test)),
        variable: optionalString(constantOf(condition.variable)),
        values: configuredStrings(condition.values),
      })),
      source: document.address,
    };
  });
}

/** A configured list of strings: JSON-syntax interpolations and non-constant expressions as unknown. */
function configuredStrings(expression: unknown): (string | undefined)[] {
  if (expression === undefined) return [];
  if (typeof expression !== "object" || expression === null || !("constant_value" in expression)) return [undefined];
  const constant = (expression as { constant_value: unknown }).constant_value;
  const list = Array.isArray(constant) ? constant : [constant];
  return strings(list.map((item) => (typeof item === "string" ? replaceInterpolations(item) : item)));
}
