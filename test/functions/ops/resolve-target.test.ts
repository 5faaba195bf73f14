import { execFile } from "node:child_process";
import { cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { resolveTarget } from "../../../functions/ops/resolve-target.js";
import { reliabilityStacks } from "../../support/shared-stacks.js";
import { tempDir } from "../../support/temp-dirs.js";
import { providerMirror, TERRAFORM_HOOK_TIMEOUT_MS } from "../../support/terraform.js";
import { type OpsPipeline, opsPipeline, runOps } from "./ops-fixture.js";

const run = promisify(execFile);

/** Every output the orders stack gives once deployed (archive mode), as `terraform output -json` reads them from the state. */
const DEPLOYED_OUTPUTS = {
  queue_url: "https://sqs.us-east-1.amazonaws.com/123456789012/orders-dev-queue",
  queue_arn: "arn:aws:sqs:us-east-1:123456789012:orders-dev-queue",
  queue_name: "orders-dev-queue",
  dead_letter_queue_url: "https://sqs.us-east-1.amazonaws.com/123456789012/orders-dev-dlq",
  dead_letter_queue_arn: "arn:aws:sqs:us-east-1:123456789012:orders-dev-dlq",
  function_name: "orders-dev-processor",
  alarm_topic_arn: "arn:aws:sns:us-east-1:123456789012:orders-dev-alarms",
  alarm_names: ["orders-dev-dlq-not-empty", "orders-dev-errors"],
  archive_bucket_name: "orders-dev-dead-letters",
  archive_prefix: "dead-letters/",
  event_source_mapping_uuid: "6c0a3f0e-1c4e-4c5b-9a0e-000000000000",
  metrics_namespace: "Orders",
  metrics_service: "orders-dev-processor",
  region: "eu-west-1",
  environment: "dev",
};

function state(outputs: Record<string, unknown>): string {
  return JSON.stringify({
    version: 4,
    terraform_version: "1.11.4",
    serial: 1,
    lineage: "ops-test",
    outputs: Object.fromEntries(
      Object.entries(outputs).map(([name, value]) => [
        name,
        { value, type: Array.isArray(value) ? ["list", "string"] : "string" },
      ]),
    ),
    resources: [],
  });
}

/** A copy of the real dev synth whose state sits in its own folder, initialized offline as a deploy would. */
let deployed: string;
beforeAll(async () => {
  const stacks = await reliabilityStacks();
  deployed = tempDir("ops-deployed");
  const folder = path.join(deployed, "stacks", "dev");
  mkdirSync(folder, { recursive: true });
  const json = JSON.parse(readFileSync(path.join(stacks, "stacks", "dev", "cdk.tf.json"), "utf8"));
  json.terraform.backend = { local: { path: "terraform.tfstate" } };
  writeFileSync(path.join(folder, "cdk.tf.json"), JSON.stringify(json));
  // The stack's bundle is not read by `terraform output`; init only needs the provider.
  const mirror = providerMirror();
  await run("terraform", ["init", "-input=false", "-no-color", ...(mirror ? [`-plugin-dir=${mirror}`] : [])], {
    cwd: folder,
  });
  cpSync(folder, path.join(deployed, "stacks", "dev-undeployed"), { recursive: true });
  writeFileSync(path.join(folder, "terraform.tfstate"), state(DEPLOYED_OUTPUTS));
  writeFileSync(path.join(deployed, "stacks", "dev-undeployed", "terraform.tfstate"), state({}));
}, TERRAFORM_HOOK_TIMEOUT_MS);

let pipeline: OpsPipeline | undefined;
afterEach(async () => {
  await pipeline?.stop();
  pipeline = undefined;
});

describe("resolveTarget: a deployed stack (real terraform output)", () => {
  it("reads every name and address from the stack's outputs", async () => {
    const target = await resolveTarget({ environment: "dev", outdir: deployed });
    expect(target).toEqual({
      environment: "dev",
      region: "eu-west-1",
      queue: { url: DEPLOYED_OUTPUTS.queue_url, arn: DEPLOYED_OUTPUTS.queue_arn, name: "orders-dev-queue" },
      deadLetterQueue: {
        url: DEPLOYED_OUTPUTS.dead_letter_queue_url,
        arn: DEPLOYED_OUTPUTS.dead_letter_queue_arn,
        name: "orders-dev-dlq",
      },
      functionName: "orders-dev-processor",
      alarmNames: ["orders-dev-dlq-not-empty", "orders-dev-errors"],
      alarmTopicArn: DEPLOYED_OUTPUTS.alarm_topic_arn,
      archive: { bucket: "orders-dev-dead-letters", prefix: "dead-letters/" },
      metrics: { namespace: "Orders", service: "orders-dev-processor" },
      eventSourceMappingUuid: DEPLOYED_OUTPUTS.event_source_mapping_uuid,
    });
    expect(target.endpoint).toBeUndefined();
  });

  it("a stack never applied has no outputs: exit 2, saying it is not deployed", async () => {
    const result = await runOps(["dlq", "peek", "dev-undeployed", "--outdir", deployed]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^ops: the stack in .*dev-undeployed has no outputs: it is not deployed/);
  });

  it("no credentials in the standard chain: exit 2 in one line naming the chain", async () => {
    const result = await runOps(["dlq", "peek", "dev", "--outdir", deployed], {
      AWS_ACCESS_KEY_ID: "",
      AWS_SECRET_ACCESS_KEY: "",
      AWS_SESSION_TOKEN: "",
      AWS_PROFILE: "",
      AWS_CONFIG_FILE: path.join(deployed, "no-config"),
      AWS_SHARED_CREDENTIALS_FILE: path.join(deployed, "no-credentials"),
      AWS_EC2_METADATA_DISABLED: "true",
      AWS_CONTAINER_CREDENTIALS_FULL_URI: "",
      AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: "",
      AWS_WEB_IDENTITY_TOKEN_FILE: "",
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^ops: no usable AWS credentials for queue orders-dev-(queue|dlq): .*standard chain/);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
  });

  it("a folder terraform was never initialized in: exit 2 with terraform's reason", async () => {
    const outdir = await reliabilityStacks();
    const result = await runOps(["dlq", "peek", "dev", "--outdir", outdir]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^ops: `terraform output -json` failed in .*: .*(initialization|init)/i);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
  });
});

describe("resolveTarget: a local pipeline (--endpoint-url)", () => {
  it("takes the names from the synthesized stack and the URLs and ARNs from the endpoint", async () => {
    pipeline = await opsPipeline("dev");
    const target = await resolveTarget({
      environment: "dev",
      outdir: pipeline.outdir,
      endpointUrl: pipeline.sqs.endpoint,
    });
    expect(target).toMatchObject({
      environment: "dev",
      region: "us-east-1",
      endpoint: pipeline.sqs.endpoint,
      queue: {
        url: pipeline.queue.url,
        arn: "arn:aws:sqs:us-east-1:000000000000:orders-dev-queue",
        name: "orders-dev-queue",
      },
      deadLetterQueue: { url: pipeline.deadLetterQueue.url, name: "orders-dev-dlq" },
      functionName: "orders-dev-processor",
      metrics: { namespace: "Orders", service: "orders-dev-processor" },
    });
    // Before the stack outputs them, the alarms are every alarm the stack defines.
    expect(target.alarmNames).toContain("orders-dev-dlq-not-empty");
    expect(target.archive).toBeUndefined();
  });

  it("queues that do not exist at the endpoint: exit 2 naming the queue and what to run", async () => {
    pipeline = await opsPipeline("dev");
    const result = await runOps([
      "dlq",
      "peek",
      "dev-fifo",
      "--endpoint-url",
      pipeline.sqs.endpoint,
      "--outdir",
      pipeline.outdir,
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `ops: queue orders-dev-fifo-queue.fifo at ${pipeline.sqs.endpoint} (is \`npm run local -- --keep\` running for this environment?): the queue does not exist (The specified queue does not exist.)\n`,
    );
  });

  it("nothing listening at the endpoint: exit 2", async () => {
    pipeline = await opsPipeline("dev");
    const result = await runOps([
      "dlq",
      "peek",
      "dev",
      "--endpoint-url",
      "http://127.0.0.1:1",
      "--outdir",
      pipeline.outdir,
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^ops: queue orders-dev-queue at http:\/\/127\.0\.0\.1:1 .*cannot reach the endpoint \(ECONNREFUSED/,
    );
  });

  it.each(["localhost:4566", "ftp://127.0.0.1:21", "not a url", ""])(
    "a bad --endpoint-url %j: exit 2",
    async (endpoint) => {
      const outdir = await reliabilityStacks();
      const result = await runOps(["dlq", "peek", "dev", "--endpoint-url", endpoint, "--outdir", outdir]);
      expect(result.code).toBe(2);
      expect(result.stderr).toBe(
        `ops: --endpoint-url must be an http(s) URL such as http://127.0.0.1:4566 (got ${JSON.stringify(endpoint)})\n`,
      );
    },
  );

  it.each(["prod2", "../dev", "DEV"])(
    "an unknown environment %j: exit 2 listing the synthesized ones",
    async (environment) => {
      const outdir = await reliabilityStacks();
      const result = await runOps([
        "dlq",
        "peek",
        environment,
        "--endpoint-url",
        "http://127.0.0.1:1",
        "--outdir",
        outdir,
      ]);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(
        new RegExp(
          `^ops: unknown environment ${JSON.stringify(environment).replace(/[.]/g, "\\.")}: .*\\(synthesized: dev, dev-fast-retry, dev-fifo\\)\\n$`,
        ),
      );
    },
  );

  it("no synth at all: exit 2 saying to run npm run synth", async () => {
    const result = await runOps(["dlq", "peek", "dev", "--outdir", tempDir("ops-empty")]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("(synthesized: none; run `npm run synth` first)");
  });
});
