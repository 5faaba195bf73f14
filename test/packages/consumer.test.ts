/**
 * The two packages as another team gets them: packed as published, installed by name from the
 * tarballs into a fresh project beside the newest constructs@10, cdktf and the AWS provider, then used
 * the two ways a cdktf app is written (ESM with tsx; the `cdktf init` template's CommonJS with
 * ts-node), synthesized, and checked by real `terraform init` (provider mirror) and `validate`.
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { type PackedPackage, packPackages } from "../../scripts/packages/pack.js";
import { tempDir } from "../support/temp-dirs.js";
import { planOffline, TERRAFORM_HOOK_TIMEOUT_MS } from "../support/terraform.js";

const PROJECT = process.cwd();
const FIXTURES = path.join(PROJECT, "test", "fixtures", "consumer");
const STACK = "invoices-dev";
/** What the consumer installs beside the packages: exact where this repository pins, newest where a team would be. */
const CONSUMER_DEPENDENCIES = {
  cdktf: "0.21.0",
  constructs: "^10",
  "@cdktf/provider-aws": "20.1.0",
  "@aws-sdk/client-sqs": "3.1169.0",
};
const CONSUMER_DEV_DEPENDENCIES = {
  tsx: "4.23.15",
  "ts-node": "10.9.2",
  typescript: "5.9.3",
  "@types/node": "22.20.7",
};

/** A child's environment without this repository's npm settings (its source condition above all). */
function consumerEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (name === "NODE_OPTIONS" || name.toLowerCase().startsWith("npm_")) continue;
    env[name] = value;
  }
  // v8-compile-cache (used by some of the tools run here) would otherwise leave its cache in TMPDIR.
  env.DISABLE_V8_COMPILE_CACHE = "1";
  return env;
}

function run(cwd: string, command: string, args: readonly string[]): string {
  try {
    return execFileSync(command, [...args], {
      cwd,
      env: consumerEnvironment(),
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
  } catch (error) {
    const failure = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(
      `${command} ${args.join(" ")} failed in ${cwd}: ${failure.message}\n${failure.stdout}${failure.stderr}`,
    );
  }
}

interface Flavour {
  readonly root: string;
  readonly stackDir: string;
}

/** The synthesized Lambda function of the processor in a stack folder. */
function processorFunction(stackDir: string): { source_code_hash: string; runtime: string; handler: string } {
  const json = JSON.parse(readFileSync(path.join(stackDir, "cdk.tf.json"), "utf8")) as {
    resource: {
      aws_lambda_function: Record<
        string,
        { function_name: string; source_code_hash: string; runtime: string; handler: string }
      >;
    };
  };
  const processor = Object.values(json.resource.aws_lambda_function).find(
    (f) => f.function_name === "invoices-processor",
  );
  if (!processor) throw new Error(`no invoices-processor function in ${stackDir}`);
  return processor;
}

/** Type errors tsc reports inside the packages (or the app's own files), as "file: message". */
function typeErrors(root: string, tsconfig: string): string[] {
  let output = "";
  try {
    run(root, path.join(root, "node_modules", ".bin", "tsc"), ["-p", tsconfig, "--pretty", "false"]);
  } catch (error) {
    output = (error as Error).message;
  }
  return output
    .split("\n")
    .filter((line) => /error TS\d+/.test(line))
    .filter((line) => line.startsWith("node_modules/@queue-processor/") || !line.startsWith("node_modules/"));
}

describe("the packages, installed by name in a fresh project", () => {
  let packed: PackedPackage[];
  let installed: string;
  let esm: Flavour;
  let cjs: Flavour;

  beforeAll(() => {
    packed = packPackages(PROJECT, tempDir("packed"));
    const [runtime, construct] = packed;
    installed = path.join(tempDir("consumer"), "teams", "invoices");
    mkdirSync(installed, { recursive: true });
    writeFileSync(
      path.join(installed, "package.json"),
      JSON.stringify({ name: "invoices-app", private: true, dependencies: {}, devDependencies: {} }, null, 2),
    );
    // By name: npm records each under its package name, as from a registry.
    run(installed, "npm", [
      "install",
      "--no-audit",
      "--no-fund",
      "--prefer-offline",
      construct!.tarball,
      runtime!.tarball,
      ...Object.entries(CONSUMER_DEPENDENCIES).map(([name, range]) => `${name}@${range}`),
    ]);
    run(installed, "npm", [
      "install",
      "--save-dev",
      "--no-audit",
      "--no-fund",
      "--prefer-offline",
      ...Object.entries(CONSUMER_DEV_DEPENDENCIES).map(([name, version]) => `${name}@${version}`),
    ]);
    esm = makeFlavour("esm", { type: "module" }, "esm-main.ts", "strict-tsconfig.json", "npx tsx main.ts");
    // What the cdktf init template's cdktf.json runs.
    cjs = makeFlavour("cjs", {}, "cjs-main.ts", "cdktf-init-tsconfig.json", "npx ts-node main.ts");
    run(esm.root, "node", ["--import", "tsx", "main.ts"]);
    run(cjs.root, path.join(cjs.root, "node_modules", ".bin", "ts-node"), ["main.ts"]);
  }, 900_000);

  /** A project folder of its own (another path, so the zip cannot depend on it) sharing the install. */
  function makeFlavour(name: string, manifest: object, main: string, tsconfig: string, app: string): Flavour {
    const root = path.join(tempDir(`consumer-${name}`), "apps", name);
    mkdirSync(path.join(root, "handlers"), { recursive: true });
    const installedManifest = JSON.parse(readFileSync(path.join(installed, "package.json"), "utf8")) as object;
    writeFileSync(path.join(root, "package.json"), JSON.stringify({ ...installedManifest, ...manifest }, null, 2));
    execFileSync("cp", ["-al", path.join(installed, "node_modules"), path.join(root, "node_modules")]);
    copyFileSync(path.join(FIXTURES, main), path.join(root, "main.ts"));
    copyFileSync(path.join(FIXTURES, tsconfig), path.join(root, "tsconfig.json"));
    copyFileSync(path.join(FIXTURES, "handler.ts"), path.join(root, "handlers", "invoices.ts"));
    writeFileSync(path.join(root, "cdktf.json"), JSON.stringify({ language: "typescript", app }));
    return { root, stackDir: path.join(root, "cdktf.out", "stacks", STACK) };
  }

  it("ships only built JavaScript, declarations, the manifest and the docs", () => {
    for (const pkg of packed) {
      const unexpected = pkg.files.filter(
        (file) => !/^(package\.json|README\.md|CHANGELOG\.md|dist\/.+\.(js|d\.ts))$/.test(file),
      );
      expect(unexpected, pkg.name).toEqual([]);
      expect(pkg.files).toContain("CHANGELOG.md");
    }
  });

  it("passes publint and arethetypeswrong (ESM-only by design: require() of it needs Node >= 22.12)", () => {
    for (const pkg of packed) {
      run(PROJECT, path.join(PROJECT, "node_modules", ".bin", "publint"), ["--strict", pkg.tarball]);
      run(PROJECT, path.join(PROJECT, "node_modules", ".bin", "attw"), [
        pkg.tarball,
        "--ignore-rules",
        "cjs-resolves-to-esm",
        "--format",
        "ascii",
      ]);
    }
  });

  it("resolves one constructs, the app's newest 10.x, through the peer dependency", () => {
    const installedConstructs = run(installed, "npm", ["ls", "constructs", "--all", "--parseable"])
      .split("\n")
      .filter((line) => line.trim() !== "");
    expect(installedConstructs).toEqual([path.join(installed, "node_modules", "constructs")]);
    const { version } = JSON.parse(
      readFileSync(path.join(installed, "node_modules", "constructs", "package.json"), "utf8"),
    ) as {
      version: string;
    };
    expect(version).toMatch(/^10\./);
    expect(existsSync(path.join(installed, "node_modules", "@queue-processor", "construct", "node_modules"))).toBe(
      false,
    );
  });

  it("keeps what Lambda provides out of the install: the AWS SDK is the app's, not the runtime's", () => {
    const manifest = JSON.parse(
      readFileSync(path.join(installed, "node_modules", "@queue-processor", "runtime", "package.json"), "utf8"),
    ) as { dependencies: Record<string, string>; peerDependencies: Record<string, string> };
    expect(Object.keys(manifest.dependencies).filter((name) => name.startsWith("@aws-sdk/"))).toEqual([]);
    expect(Object.keys(manifest.peerDependencies)).toContain("@aws-sdk/client-sqs");
  });

  it.each([
    ["ESM with tsx", () => esm],
    ["CommonJS with ts-node (the cdktf init template)", () => cjs],
  ])(
    "synthesizes from %s, and terraform init (mirror) and validate pass",
    async (_name, flavour) => {
      const { stackDir, root } = flavour();
      const { validate } = await planOffline(stackDir, path.join(tempDir("consumer-plan"), "stack"));
      expect(validate).toMatchObject({ valid: true, error_count: 0, warning_count: 0 });
      expect(processorFunction(stackDir).runtime).toBe("nodejs22.x");
      expect(root).not.toBe(PROJECT);
    },
    TERRAFORM_HOOK_TIMEOUT_MS,
  );

  it("gives the same zip, byte for byte, from both apps at two different paths", () => {
    expect(processorFunction(cjs.stackDir).source_code_hash).toBe(processorFunction(esm.stackDir).source_code_hash);
  });

  it("builds the same zip with the runtime's bundle command as the construct ships", () => {
    const out = JSON.parse(
      run(esm.root, path.join(esm.root, "node_modules", ".bin", "queue-processor-bundle"), [
        "handlers/invoices.ts",
        "--out",
        "build/invoices.zip",
        "--json",
      ]),
    ) as { sourceCodeHash: string; handler: string };
    expect(out.sourceCodeHash).toBe(processorFunction(esm.stackDir).source_code_hash);
    expect(out.handler).toBe(processorFunction(esm.stackDir).handler);
  });

  it("has no type errors in the packages, nor in a strict app using them, under the strictest flags and the cdktf init template's", () => {
    expect(typeErrors(esm.root, "tsconfig.json")).toEqual([]);
    expect(typeErrors(cjs.root, "tsconfig.json")).toEqual([]);
  });
});
