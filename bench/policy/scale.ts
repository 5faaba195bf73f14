/**
 * A plan of any size from a plan of one key: a real `terraform show -json` of the template, whose
 * keyed instances are copied under new keys in every section that lists instances (resource_changes,
 * planned_values, relevant_attributes). The configuration stays as terraform printed it: for_each
 * does not repeat it.
 */

/** The key the template's for_each holds (bench/policy/template/main.tf). */
const TEMPLATE_KEY = "tmplkey";

interface PlanSections {
  resource_changes?: unknown[];
  planned_values?: { root_module?: { resources?: unknown[] } };
  relevant_attributes?: unknown[];
  configuration?: { root_module?: { resources?: { address: string; expressions?: Record<string, unknown> }[] } };
}

/** The template copied to at least `resources` resource changes; how many keys that took. */
export function scalePlan(templateText: string, resources: number): { plan: PlanSections; keys: number } {
  const plan = JSON.parse(templateText) as PlanSections;
  const changes = plan.resource_changes ?? [];
  const keyed = changes.filter((change) => JSON.stringify(change).includes(TEMPLATE_KEY)).length;
  if (keyed === 0) throw new Error(`the template plan has no instance keyed ${TEMPLATE_KEY}`);
  const keys = Math.max(1, Math.ceil((resources - (changes.length - keyed)) / keyed));
  const names = Array.from({ length: keys }, (_, index) => `p${String(index).padStart(5, "0")}`);
  const copy = (items: unknown[] | undefined) => {
    const shared: unknown[] = [];
    const templates: string[] = [];
    for (const item of items ?? []) {
      const text = JSON.stringify(item);
      if (text.includes(TEMPLATE_KEY)) templates.push(text);
      else shared.push(item);
    }
    return [
      ...shared,
      ...names.flatMap((name) => templates.map((text) => JSON.parse(text.replaceAll(TEMPLATE_KEY, name)))),
    ];
  };
  plan.resource_changes = copy(plan.resource_changes);
  if (plan.planned_values?.root_module)
    plan.planned_values.root_module.resources = copy(plan.planned_values.root_module.resources);
  if (plan.relevant_attributes) plan.relevant_attributes = copy(plan.relevant_attributes);
  return { plan, keys };
}

/**
 * The worst case for linking: every mapping names its queue by a key the plan does not show
 * (`aws_sqs_queue.work[local.key]`), so each may read any queue.
 */
export function withUnknownQueueKeys(plan: PlanSections): PlanSections {
  const mapping = plan.configuration?.root_module?.resources?.find(
    (resource) => resource.address === "aws_lambda_event_source_mapping.work",
  );
  if (!mapping?.expressions) throw new Error("the template plan has no aws_lambda_event_source_mapping.work");
  mapping.expressions.event_source_arn = { references: ["aws_sqs_queue.work", "local.queue_key"] };
  return plan;
}
