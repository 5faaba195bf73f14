/**
 * Everything bench/runtime measures is bundled by bundleFunction, as a deployment bundles it, and
 * required from the unzipped bundle: all of it runs as minified esbuild output. (Run from source,
 * tsx's `keepNames` would add a `__name()` call to every closure ours creates per batch, and
 * Powertools would run as tsc output from node_modules.)
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { unzipSync } from "fflate";
import { bundleFunction, type FunctionBundle, LAMBDA_PROVIDED_MODULES } from "../../functions/runtime/bundle/bundle.js";
import type { Implementation } from "./implementation.js";

/** Where a run builds and unzips its bundles (removed by the runner), and the project it bundles. */
export interface Workspace {
  readonly project: string;
  readonly dir: string;
}

/** The three batch implementations, in the order every table lists them. */
export interface Implementations {
  readonly ours: Implementation;
  readonly powertools: Implementation;
  readonly seedLoop: Implementation;
  readonly all: readonly Implementation[];
}

/** Unzips a bundle into a folder of its own, as Lambda does: CommonJS, whatever the project's package.json says. */
function unpack(bundle: FunctionBundle, dir: string): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "package.json"), '{ "type": "commonjs" }\n');
  for (const [file, contents] of Object.entries(unzipSync(readFileSync(bundle.zipPath)))) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), contents);
  }
  return dir;
}

function loadImplementation(workspace: Workspace, entry: string, exportName: string): Implementation {
  const bundle = bundleFunction({
    entry,
    outputDirectory: path.join(workspace.dir, "zips"),
    workingDirectory: workspace.project,
  });
  const dir = unpack(bundle, path.join(workspace.dir, `implementation-${exportName}`));
  const loaded: unknown = createRequire(import.meta.url)(path.join(dir, "index.js"));
  const implementation = (loaded as Record<string, Implementation | undefined>)[exportName];
  if (typeof implementation?.handler !== "function") throw new Error(`${entry} does not export ${exportName}`);
  return implementation;
}

export function loadImplementations(workspace: Workspace): Implementations {
  const ours = loadImplementation(workspace, "bench/runtime/ours.ts", "ours");
  const powertools = loadImplementation(workspace, "bench/runtime/powertools.ts", "powertools");
  const seedLoop = loadImplementation(workspace, "bench/runtime/seed-loop.ts", "seedLoop");
  return { ours, powertools, seedLoop, all: [ours, powertools, seedLoop] };
}

/** One order-processor handler, bundled and unzipped. */
export interface BundledHandler {
  readonly name: string;
  readonly entry: string;
  readonly codeBytes: number;
  readonly zipBytes: number;
  readonly dir: string;
}

/** The same order processor three ways, in the order every table lists them. */
export interface BundledHandlers {
  readonly ours: BundledHandler;
  readonly powertools: BundledHandler;
  readonly seedStyle: BundledHandler;
  readonly all: readonly BundledHandler[];
}

/** How the SDK is packaged: as the construct deploys by default, or with `handler.bundleAwsSdk: true`. */
export interface SdkPackaging {
  readonly key: string;
  readonly label: string;
  readonly externalModules: readonly string[];
  /** Goals are judged on what the construct deploys by default; the other packaging is a reference. */
  readonly judged: boolean;
}

export const SDK_PACKAGINGS: readonly SdkPackaging[] = [
  {
    key: "runtime-sdk",
    label: "@aws-sdk/* from the Lambda runtime (the construct's default)",
    externalModules: LAMBDA_PROVIDED_MODULES,
    judged: true,
  },
  {
    key: "bundled-sdk",
    label: "@aws-sdk/* bundled (handler.bundleAwsSdk: true)",
    externalModules: [],
    judged: false,
  },
];

/**
 * Each handler bundled exactly as a deployment bundles it, then unzipped into a folder of its own
 * inside the project, whose node_modules stands in for the SDK the Lambda runtime provides.
 */
export function bundleHandlers(workspace: Workspace, packaging: SdkPackaging): BundledHandlers {
  const bundle = (name: string, entry: string, folder: string): BundledHandler => {
    const built = bundleFunction({
      entry,
      outputDirectory: path.join(workspace.dir, "zips", packaging.key),
      workingDirectory: workspace.project,
      externalModules: packaging.externalModules,
    });
    const dir = unpack(built, path.join(workspace.dir, `${packaging.key}-${folder}`));
    return { name, entry, codeBytes: built.codeBytes, zipBytes: built.zipBytes, dir };
  };
  const ours = bundle("ours (functions/order-processor)", "functions/order-processor/handler.ts", "ours");
  const powertools = bundle(
    "Powertools 2.35 (batch+logger+metrics+idempotency)",
    "bench/runtime/handlers/powertools.ts",
    "powertools",
  );
  const seedStyle = bundle(
    "seed-style (loop, JSON.parse, hand checks)",
    "bench/runtime/handlers/seed-style.ts",
    "seed-style",
  );
  return { ours, powertools, seedStyle, all: [ours, powertools, seedStyle] };
}
