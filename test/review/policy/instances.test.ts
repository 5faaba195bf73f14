/**
 * Repeated resources (for_each, count, modules with for_each) are linked instance by instance, on
 * committed plans made by real terraform (test/fixtures/plans/instances and module-instances; see
 * fixtures.test.ts). Variants change one thing in a copy of those plans.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { checkPlan, type Finding } from "../../../review/policy/index.js";

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../fixtures/plans");

interface Change {
  address: string;
  index?: string | number;
  change: { actions: string[]; after: Record<string, unknown> | null; after_unknown: Record<string, unknown> };
}
interface Plan {
  resource_changes: Change[];
}

const texts = new Map<string, string>();
/** A fresh copy of a fixture plan, to change. */
function plan(name: string): Plan {
  if (!texts.has(name)) texts.set(name, readFileSync(path.join(FIXTURES, name, "plan.json"), "utf8"));
  return JSON.parse(texts.get(name) ?? "") as Plan;
}

/** Findings other than non-tls-allowed (no fixture queue has a queue policy). */
function findings(input: Plan): Finding[] {
  return checkPlan(input).filter((finding) => finding.rule !== "non-tls-allowed");
}

const pairs = (found: readonly Finding[]) => found.map((finding) => [finding.rule, finding.address]);

function change(input: Plan, address: string): Change {
  const found = input.resource_changes.find((candidate) => candidate.address === address);
  if (!found) throw new Error(`no ${address} in the plan`);
  return found;
}

function without(input: Plan, ...addresses: string[]): Plan {
  input.resource_changes = input.resource_changes.filter((candidate) => !addresses.includes(candidate.address));
  return input;
}

describe("for_each and count instances (instances plan)", () => {
  const all = findings(plan("instances"));

  it("reports exactly the findings of each instance with its own partners", () => {
    expect(pairs(all)).toEqual([
      ["dlq-missing", 'aws_sqs_queue.pool["a"]'],
      ["dlq-missing", 'aws_sqs_queue.pool["b"]'],
      ["dlq-missing", 'aws_sqs_queue.route["y"]'],
      ["dlq-missing", 'aws_sqs_queue.work["fast"]'],
      ["visibility-below-advice", 'aws_sqs_queue.work["fast"]'],
      ["dlq-alarm-missing", "aws_sqs_queue.jobs_dlq[1]"],
      ["dlq-alarm-missing", 'aws_sqs_queue.typed_dlq["fifo"]'],
      ["dlq-alarm-missing", 'aws_sqs_queue.typed_dlq["standard"]'],
    ]);
  });

  it('pairs work["fast"] (40 s) with processor["fast"] (30 s) only: no blocking finding against processor["slow"]', () => {
    expect(all.filter((finding) => finding.rule === "visibility-below-timeout")).toEqual([]);
    const advice = all.find((finding) => finding.rule === "visibility-below-advice");
    expect(advice?.message).toContain('aws_sqs_queue.work["fast"] visibility_timeout_seconds is 40');
    expect(advice?.message).toContain('aws_lambda_function.processor["fast"] timeout 30 s');
    expect(advice?.message).toContain('aws_lambda_event_source_mapping.work["fast"]');
    expect(advice?.message).not.toContain('["slow"]');
  });

  it('reports work["fast"] without a redrive although work["slow"] has one (a redrive for_each over fewer keys)', () => {
    const missing = all.find(
      (finding) => finding.address === 'aws_sqs_queue.work["fast"]' && finding.rule === "dlq-missing",
    );
    expect(missing?.severity).toBe("blocking");
    expect(missing?.message).toBe(
      'aws_sqs_queue.work["fast"] is consumed by aws_lambda_event_source_mapping.work["fast"] but has no redrive policy ' +
        "(no redrive_policy, no aws_sqs_queue_redrive_policy for it); expected a redrive to a dead-letter queue with a maxReceiveCount",
    );
  });

  it('moves the finding with the redrive\'s key: a redrive of work["fast"] leaves work["slow"] without one', () => {
    const input = plan("instances");
    const redrive = change(input, 'aws_sqs_queue_redrive_policy.work["slow"]');
    redrive.address = 'aws_sqs_queue_redrive_policy.work["fast"]';
    redrive.index = "fast";
    const found = findings(input).filter(
      (finding) => finding.rule === "dlq-missing" && finding.address.includes("work"),
    );
    expect(pairs(found)).toEqual([["dlq-missing", 'aws_sqs_queue.work["slow"]']]);
    expect(found[0]?.message).toContain('consumed by aws_lambda_event_source_mapping.work["slow"] but');
  });

  it('reports the DLQ alarm of dlq["slow"] missing when only its sibling has one (alarms for_each over the DLQs)', () => {
    const found = findings(without(plan("instances"), 'aws_cloudwatch_metric_alarm.dlq["slow"]')).filter(
      (finding) => finding.rule === "dlq-alarm-missing",
    );
    expect(found.map((finding) => finding.address)).toContain('aws_sqs_queue.dlq["slow"]');
    expect(found.find((finding) => finding.address === 'aws_sqs_queue.dlq["slow"]')?.message).toContain(
      'is the dead-letter queue of aws_sqs_queue.work["slow"] but',
    );
    expect(found.map((finding) => finding.address)).not.toContain('aws_sqs_queue.dlq["fast"]');
  });

  it("count: jobs[i] is compared with function jobs[i] and mapping jobs[i] only", () => {
    for (const rule of ["visibility-below-timeout", "visibility-below-advice", "max-concurrency-above-reserved"])
      expect(all.filter((finding) => finding.rule === rule && finding.address.includes("jobs"))).toEqual([]);
    const input = plan("instances");
    const fn = change(input, "aws_lambda_function.jobs[0]");
    fn.change.after = { ...fn.change.after, reserved_concurrent_executions: 2, timeout: 200 };
    const found = findings(input).filter((finding) => finding.address.includes("jobs"));
    expect(pairs(found)).toEqual([
      ["visibility-below-timeout", "aws_sqs_queue.jobs[0]"],
      ["max-concurrency-above-reserved", "aws_lambda_event_source_mapping.jobs[0]"],
      ["dlq-alarm-missing", "aws_sqs_queue.jobs_dlq[1]"],
    ]);
    expect(found[0]?.message).toContain("aws_lambda_function.jobs[0] timeout 200 s");
    expect(found[1]?.message).toContain(
      "maximum_concurrency is 5, above aws_lambda_function.jobs[0] reserved_concurrent_executions 2",
    );
    for (const finding of found.slice(0, 2)) expect(finding.message).not.toContain("[1]");
  });

  it("count: the DLQ alarm of jobs_dlq[0] (count = 1) does not cover jobs_dlq[1]", () => {
    const found = all.find((finding) => finding.address === "aws_sqs_queue.jobs_dlq[1]");
    expect(found?.message).toContain("is the dead-letter queue of aws_sqs_queue.jobs[1] but");
    expect(found?.message).not.toContain("jobs[0]");
  });

  it("[each.key]: a standard and a FIFO queue each redrive to their own type, each read by its own function", () => {
    expect(all.filter((finding) => finding.rule === "dlq-type-mismatch")).toEqual([]);
    expect(all.filter((finding) => finding.address.startsWith("aws_sqs_queue.typed["))).toEqual([]);
    // Each function made slower: each queue is reported against its own function only.
    const input = plan("instances");
    for (const [key, timeout] of [
      ["standard", 90],
      ["fifo", 900],
    ] as const) {
      const fn = change(input, `aws_lambda_function.typed["${key}"]`);
      fn.change.after = { ...fn.change.after, timeout };
    }
    const found = findings(input).filter((finding) => finding.address.startsWith("aws_sqs_queue.typed["));
    expect(pairs(found)).toEqual([
      ["visibility-below-timeout", 'aws_sqs_queue.typed["standard"]'],
      ["visibility-below-advice", 'aws_sqs_queue.typed["fifo"]'],
    ]);
    expect(found[0]?.message).toContain(
      'visibility_timeout_seconds is 60, below timeout + window = 90 s (aws_lambda_function.typed["standard"] timeout 90 s',
    );
    expect(found[1]?.message).toContain(
      'visibility_timeout_seconds is 1800, below the advised 6 x timeout + window = 5400 s (aws_lambda_function.typed["fifo"] timeout 900 s',
    );
  });

  it("keys that do not match: each queue the mappings may read needs its own redrive, and nothing is paired", () => {
    const pool = all.filter((finding) => finding.address.startsWith("aws_sqs_queue.pool"));
    expect(pool.map((finding) => [finding.rule, finding.severity])).toEqual([
      ["dlq-missing", "blocking"],
      ["dlq-missing", "blocking"],
    ]);
    for (const finding of pool) {
      expect(finding.message).toContain(
        'may be consumed by aws_lambda_event_source_mapping.pool["A"], aws_lambda_event_source_mapping.pool["B"] (they refer to aws_sqs_queue.pool without saying which instance)',
      );
      expect(finding.message).toContain(
        'aws_sqs_queue_redrive_policy.pool["A"] refers to aws_sqs_queue.pool without saying which instance, so it is not counted',
      );
    }
    // Both pool queues keep the default 30 s against the 60 s function, but which mapping reads
    // which queue is unknown: no visibility pairing is made up.
    expect(all.filter((finding) => finding.rule.startsWith("visibility") && finding.address.includes("pool"))).toEqual(
      [],
    );
  });

  it("a redrive whose key matches a queue's counts for that queue only", () => {
    const input = plan("instances");
    const redrive = change(input, 'aws_sqs_queue_redrive_policy.pool["A"]');
    redrive.address = 'aws_sqs_queue_redrive_policy.pool["a"]';
    redrive.index = "a";
    const pool = findings(input).filter((finding) => finding.address.startsWith("aws_sqs_queue.pool"));
    expect(pairs(pool)).toEqual([["dlq-missing", 'aws_sqs_queue.pool["b"]']]);
    expect(pool[0]?.message).not.toContain("not counted");
  });

  it('each.value of a literal map names the queue: the redrive keyed "first" is route["x"]\'s, so only route["y"] is reported', () => {
    const route = all.filter((finding) => finding.address.startsWith("aws_sqs_queue.route"));
    expect(pairs(route)).toEqual([["dlq-missing", 'aws_sqs_queue.route["y"]']]);
    expect(route[0]?.message).toContain('consumed by aws_lambda_event_source_mapping.route["y"] but');
  });

  it("a redrive being deleted no longer counts: its queue is reported", () => {
    const input = plan("instances");
    const redrive = change(input, 'aws_sqs_queue_redrive_policy.work["slow"]');
    redrive.change = { ...redrive.change, actions: ["delete"], after: null };
    expect(
      pairs(findings(input).filter((finding) => finding.rule === "dlq-missing" && finding.address.includes("work"))),
    ).toEqual([
      ["dlq-missing", 'aws_sqs_queue.work["fast"]'],
      ["dlq-missing", 'aws_sqs_queue.work["slow"]'],
    ]);
  });

  it('a queue policy for work["fast"] (denying requests without TLS) is not work["slow"]\'s', () => {
    const tls = checkPlan(plan("instances")).filter(
      (finding) => finding.rule === "non-tls-allowed" && finding.address.startsWith("aws_sqs_queue.work["),
    );
    expect(pairs(tls)).toEqual([["non-tls-allowed", 'aws_sqs_queue.work["slow"]']]);
    expect(tls[0]?.message).toContain("has no queue policy");
  });

  it("reads keys holding dots, brackets and quotes as Terraform prints them", () => {
    const key = '["fa.st]\\"[x"]';
    const renamed = JSON.parse(JSON.stringify(plan("instances")), (_name, value: unknown) =>
      typeof value === "string" ? value.replaceAll('["fast"]', key) : value,
    ) as Plan;
    const work = findings(renamed).filter((finding) => finding.address.startsWith("aws_sqs_queue.work["));
    expect(pairs(work)).toEqual([
      ["dlq-missing", `aws_sqs_queue.work${key}`],
      ["visibility-below-advice", `aws_sqs_queue.work${key}`],
    ]);
    expect(work[1]?.message).toContain(`aws_lambda_function.processor${key} timeout 30 s`);
  });

  it("names each instance pair once: no two findings of a rule on one address", () => {
    const keys = all.map((finding) => `${finding.rule} ${finding.address}`);
    expect(new Set(keys).size).toBe(keys.length);
  });
});

describe("a module with for_each (module-instances plan)", () => {
  const all = findings(plan("module-instances"));

  it('reports the missing redrive of tenant "b" only: tenant "a"\'s redrive is its own', () => {
    expect(pairs(all)).toEqual([["dlq-missing", 'module.tenant["b"].aws_sqs_queue.work']]);
    expect(all[0]?.message).toContain('consumed by module.tenant["b"].aws_lambda_event_source_mapping.work but');
  });

  it('pairs tenant "a" (180 s) with handler["a"] (30 s) through the module variable, never with handler["b"] (300 s)', () => {
    expect(all.filter((finding) => finding.rule.startsWith("visibility"))).toEqual([]);
    const input = plan("module-instances");
    const fn = change(input, 'aws_lambda_function.handler["a"]');
    fn.change.after = { ...fn.change.after, timeout: 60 };
    const found = findings(input).filter((finding) => finding.rule.startsWith("visibility"));
    expect(pairs(found)).toEqual([["visibility-below-advice", 'module.tenant["a"].aws_sqs_queue.work']]);
    expect(found[0]?.message).toContain('aws_lambda_function.handler["a"] timeout 60 s');
    expect(found[0]?.message).toContain('module.tenant["a"].aws_lambda_event_source_mapping.work');
  });

  it("an alarm for_each over the module watches each instance's DLQ through the module output", () => {
    expect(all.filter((finding) => finding.rule === "dlq-alarm-missing")).toEqual([]);
    const found = findings(without(plan("module-instances"), 'aws_cloudwatch_metric_alarm.tenant_dlq["a"]'));
    expect(pairs(found.filter((finding) => finding.rule === "dlq-alarm-missing"))).toEqual([
      ["dlq-alarm-missing", 'module.tenant["a"].aws_sqs_queue.dlq'],
    ]);
  });

  it('the redrive of tenant "a" removed: both tenants reported, each with its own mapping', () => {
    const found = findings(
      without(plan("module-instances"), 'module.tenant["a"].aws_sqs_queue_redrive_policy.work[0]'),
    );
    expect(pairs(found)).toEqual([
      ["dlq-missing", 'module.tenant["a"].aws_sqs_queue.work'],
      ["dlq-missing", 'module.tenant["b"].aws_sqs_queue.work'],
    ]);
    expect(found[0]?.message).toContain('consumed by module.tenant["a"].aws_lambda_event_source_mapping.work but');
  });
});
