import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { SynthesizedStack, type TerraformJson } from "./support/synth.js";
import { tempDir } from "./support/temp-dirs.js";
import { type OfflinePlan, planOffline, TERRAFORM_HOOK_TIMEOUT_MS } from "./support/terraform.js";

const run = promisify(execFile);
const EXAMPLES = {
  minimal: "minimal",
  fifo: "fifo",
  "custom-alarms": "custom-alarms",
  "existing-topic": "existing-topic",
} as const;
type Example = keyof typeof EXAMPLES;

describe("examples", () => {
  const stacks = {} as Record<Example, SynthesizedStack>;
  const plans = {} as Record<Example, OfflinePlan>;

  beforeAll(async () => {
    await Promise.all(
      (Object.keys(EXAMPLES) as Example[]).map(async (example) => {
        const outdir = tempDir(`example-${example}`);
        await run("node", ["--import", "tsx", `examples/${example}.ts`], {
          env: { ...process.env, CDKTF_OUTDIR: outdir },
        });
        const stackDir = path.join(outdir, "stacks", EXAMPLES[example]);
        const json = JSON.parse(readFileSync(path.join(stackDir, "cdk.tf.json"), "utf8")) as TerraformJson;
        stacks[example] = new SynthesizedStack(json, outdir, stackDir);
        plans[example] = await planOffline(stackDir, path.join(tempDir(`example-plan-${example}`), example));
      }),
    );
  }, TERRAFORM_HOOK_TIMEOUT_MS);

  it.each(Object.keys(EXAMPLES) as Example[])("%s: passes terraform validate and plans only creates", (example) => {
    expect(plans[example].validate).toMatchObject({ valid: true, error_count: 0, warning_count: 0 });
    const managed = plans[example].plan.resource_changes.filter((change) => change.mode === "managed");
    expect(managed.length).toBe(Object.values(stacks[example].counts()).reduce((a, b) => a + b, 0));
    expect(managed.every((change) => change.change.actions.join() === "create")).toBe(true);
  });

  it("minimal: a name and a handler give the whole pipeline", () => {
    const counts = stacks.minimal.counts();
    expect(counts).toMatchObject({
      aws_sqs_queue: 2,
      aws_lambda_function: 1,
      aws_lambda_event_source_mapping: 1,
      aws_cloudwatch_metric_alarm: 5,
      aws_sns_topic: 1,
    });
  });

  it("fifo: FIFO queues and no batching window", () => {
    const names = Object.values(stacks.fifo.resources("aws_sqs_queue"))
      .map((q) => q.name)
      .sort();
    expect(names).toEqual(["ledger-dlq.fifo", "ledger-queue.fifo"]);
    expect(stacks.fifo.only("aws_lambda_event_source_mapping").maximum_batching_window_in_seconds).toBeUndefined();
  });

  it("custom-alarms: tuned thresholds and the throttle alarm off", () => {
    const alarms = Object.values(stacks["custom-alarms"].resources("aws_cloudwatch_metric_alarm"));
    expect(alarms.map((a) => a.alarm_name).sort()).toEqual([
      "payments-dlq-not-empty",
      "payments-oldest-message-age",
      "payments-processor-errors",
      "payments-queue-depth",
    ]);
    expect(alarms.find((a) => a.alarm_name === "payments-queue-depth")).toMatchObject({
      threshold: 50,
      period: 60,
      evaluation_periods: 3,
    });
  });

  it("existing-topic: alarms notify the given topic, none is created, the table is writable", () => {
    const stack = stacks["existing-topic"];
    expect(stack.resources("aws_sns_topic")).toEqual({});
    for (const alarm of Object.values(stack.resources("aws_cloudwatch_metric_alarm"))) {
      expect(alarm.alarm_actions).toEqual(["arn:aws:sns:eu-west-1:123456789012:platform-pager"]);
    }
    const statements = stack.statements(stack.only("aws_iam_role_policy").policy);
    expect(statements.at(-1)).toMatchObject({ sid: "WriteShipments", actions: ["dynamodb:PutItem"] });
  });
});
