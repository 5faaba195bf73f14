import path from "node:path";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group/index.js";
import type { IamRole } from "@cdktf/provider-aws/lib/iam-role/index.js";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function/index.js";
import { bundleFunction, type FunctionBundle, LAMBDA_PROVIDED_MODULES } from "@queue-processor/runtime/bundle";
import { App, AssetType, type ITerraformDependable, TerraformAsset } from "cdktf";
import { Construct } from "constructs";
import type { ResolvedConfig } from "./resolve.js";

/** The runtime the bundle targets; esbuild's target follows it. */
const LAMBDA_RUNTIME = "nodejs22.x";
const ESBUILD_TARGET = "node22";

/** What a function is built from: the processor's `handler` settings, or the archiver's. */
type FunctionSettings = ResolvedConfig["handler"];

export interface ProcessorFunctionInputs {
  readonly settings: FunctionSettings;
  /** The app's folder: a relative entry is resolved from it, and the bundle's source paths are relative to it. */
  readonly projectRoot: string;
  readonly names: { readonly function: string; readonly logGroup: string };
  readonly role: IamRole;
  /**
   * The role's policy. The function waits for it: Lambda refuses to create a function with active
   * tracing whose role cannot yet write to X-Ray.
   */
  readonly rolePolicy: ITerraformDependable;
  /** Variables the construct sets for the runtime library, e.g. the queue URLs. */
  readonly constructEnvironment: Readonly<Record<string, string>>;
  readonly tags: Record<string, string>;
}

/**
 * The Lambda function with its code bundled at synth and its own log group, created first so the
 * retention applies from the first log line (Lambda would otherwise create the group without one).
 */
export class ProcessorFunction extends Construct {
  readonly function: LambdaFunction;
  readonly logGroup: CloudwatchLogGroup;
  readonly bundle: FunctionBundle;

  constructor(scope: Construct, id: string, inputs: ProcessorFunctionInputs) {
    super(scope, id);
    const { settings: handler, names, role, tags } = inputs;

    this.bundle = bundleFunction({
      entry: handler.entry,
      workingDirectory: inputs.projectRoot,
      outputDirectory: path.join(App.of(this).outdir, "bundles"),
      target: ESBUILD_TARGET,
      externalModules: handler.bundleAwsSdk ? [] : LAMBDA_PROVIDED_MODULES,
    });
    // The zip is already deterministic; a FILE asset copies it as is (an ARCHIVE asset would re-zip
    // it with file times, changing the hash on every checkout).
    const code = new TerraformAsset(this, "code", {
      path: this.bundle.zipPath,
      type: AssetType.FILE,
      assetHash: this.bundle.sha256Hex.slice(0, 16),
    });

    this.logGroup = new CloudwatchLogGroup(this, "log-group", {
      name: names.logGroup,
      retentionInDays: handler.logRetentionDays,
      tags,
    });

    this.function = new LambdaFunction(this, "function", {
      functionName: names.function,
      role: role.arn,
      runtime: LAMBDA_RUNTIME,
      handler: this.bundle.handler,
      architectures: [handler.architecture],
      memorySize: handler.memorySizeMb,
      timeout: handler.timeoutSeconds,
      filename: code.path,
      sourceCodeHash: this.bundle.sha256Base64,
      environment: {
        variables: { ...handler.environment, ...inputs.constructEnvironment },
      },
      tracingConfig: { mode: "Active" },
      ...(handler.reservedConcurrency === undefined
        ? {}
        : { reservedConcurrentExecutions: handler.reservedConcurrency }),
      loggingConfig: { logFormat: "Text", logGroup: this.logGroup.name },
      dependsOn: [this.logGroup, inputs.rolePolicy],
      tags,
    });
  }
}
