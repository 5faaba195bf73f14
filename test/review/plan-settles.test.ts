/**
 * settlesState: when the review may skip the re-plan that would only confirm its base state. Only a
 * plan whose changes are known in full, with no data source left for apply, settles it.
 */
import { describe, expect, it } from "vitest";
import type { PlanJson, ResourceChange } from "../../review/plan-json.js";
import { settlesState } from "../../review/plan-state.js";

function change(
  address: string,
  actions: string[],
  afterUnknown: unknown,
  mode: ResourceChange["mode"] = "managed",
): ResourceChange {
  const [type = "", name = ""] = address.replace(/^data\./, "").split(".");
  return { address, mode, type, name, change: { actions, before: null, after: {}, after_unknown: afterUnknown } };
}

const plan = (...changes: ResourceChange[]): PlanJson => ({ format_version: "1.2", resource_changes: changes });

describe("settlesState", () => {
  it("settles with changes known in full, and with no change at all", () => {
    expect(settlesState(plan(change("aws_sqs_queue.work", ["update"], { tags: {}, redrive: [false] })))).toBe(true);
    expect(settlesState(plan())).toBe(true);
  });

  it("does not settle while any value of a change is known only after apply, however deep", () => {
    expect(settlesState(plan(change("aws_sqs_queue.work", ["create"], { arn: true })))).toBe(false);
    expect(settlesState(plan(change("aws_iam_role.r", ["update"], { inline_policy: [{ policy: true }] })))).toBe(false);
    expect(settlesState(plan(change("aws_lambda_event_source_mapping.m", ["delete", "create"], true)))).toBe(false);
  });

  it("ignores unknowns of what does not change, and does not settle while a data source waits for apply", () => {
    expect(settlesState(plan(change("aws_sqs_queue.work", ["no-op"], { arn: true })))).toBe(true);
    const read = change("data.aws_iam_policy_document.p", ["read"], { json: true }, "data");
    expect(settlesState(plan(read))).toBe(false);
  });
});
