import { createHash } from "node:crypto";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { buildSync } from "esbuild";
import { nodeConditions } from "./node-conditions.js";
import { stableSourcePaths } from "./source-paths.js";
import { deterministicZip } from "./zip.js";

/** What the Node.js Lambda runtime provides: left out of a bundle unless the handler asks for its own. */
export const LAMBDA_PROVIDED_MODULES: readonly string[] = ["@aws-sdk/*"];

export interface BundleOptions {
  /** The handler's source file; a relative path is resolved from `workingDirectory`. */
  readonly entry: string;
  /** Where the zip is written. */
  readonly outputDirectory: string;
  /**
   * The project's root: a relative `entry` is resolved from it, and source-map paths are relative to
   * it, so the bundle's bytes do not depend on where the project is checked out.
   * @default process.cwd()
   */
  readonly workingDirectory?: string;
  /**
   * Extra package.json `exports` conditions to resolve packages with.
   * @default - the `--conditions` this Node.js process runs with, so the bundle resolves packages as the app does
   */
  readonly conditions?: readonly string[];
  /**
   * esbuild target matching the Lambda runtime.
   * @default "node22"
   */
  readonly target?: string;
  /**
   * Packages left out of the bundle, to be found at run time (e.g. `@aws-sdk/*`, which the Lambda
   * Node.js runtime provides).
   * @default [] (everything is bundled)
   */
  readonly externalModules?: readonly string[];
}

export interface FunctionBundle {
  /** Absolute path of the zip. */
  readonly zipPath: string;
  /** Base64 SHA-256 of the zip, the form Lambda's `source_code_hash` takes. */
  readonly sha256Base64: string;
  readonly sha256Hex: string;
  readonly zipBytes: number;
  /** Size of the minified handler code alone (without its source map). */
  readonly codeBytes: number;
  /** The handler string for Lambda: file `index.js`, export `handler`. */
  readonly handler: "index.handler";
}

export class BundleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BundleError";
  }
}

const CODE_FILE = "index.js";
const cache = new Map<string, FunctionBundle>();

/**
 * Bundles a handler with esbuild (minified, tree-shaken, CommonJS for the Node.js Lambda runtime,
 * external source map) into a deterministic zip. The same inputs give the same bytes, so
 * `source_code_hash` changes only when the code does. Bundles are cached per process: one synth
 * of several stacks bundles a shared entry once.
 */
export function bundleFunction(options: BundleOptions): FunctionBundle {
  const workingDirectory = path.resolve(options.workingDirectory ?? process.cwd());
  const entry = path.resolve(workingDirectory, options.entry);
  const target = options.target ?? "node22";
  const outputDirectory = path.resolve(options.outputDirectory);
  const externalModules = [...(options.externalModules ?? [])].sort();
  const conditions = [...(options.conditions ?? nodeConditions())];
  const key = JSON.stringify([entry, workingDirectory, target, outputDirectory, externalModules, conditions]);
  const cached = cache.get(key);
  if (cached && existsSync(cached.zipPath)) return cached;

  if (!existsSync(entry)) {
    throw new BundleError(`handler.entry: no such file ${JSON.stringify(options.entry)} (resolved to ${entry})`);
  }
  const result = buildSync({
    entryPoints: [entry],
    absWorkingDir: workingDirectory,
    // Not written (write: false); its location only decides the relative paths in the source map.
    outfile: path.join(workingDirectory, CODE_FILE),
    write: false,
    bundle: true,
    minify: true,
    treeShaking: true,
    sourcemap: "external",
    // Stack traces need only the mappings; embedded sources would triple the map Node parses at start.
    sourcesContent: false,
    platform: "node",
    format: "cjs",
    target,
    external: externalModules,
    // esbuild's default custom condition is "module"; naming others replaces it, so it is kept.
    ...(conditions.length === 0 ? {} : { conditions: ["module", ...conditions] }),
    legalComments: "none",
    logLevel: "silent",
    charset: "utf8",
  });
  const files: Record<string, Uint8Array> = {};
  for (const file of result.outputFiles) {
    files[path.relative(workingDirectory, file.path)] = file.contents;
  }
  const map = files[`${CODE_FILE}.map`];
  if (map) files[`${CODE_FILE}.map`] = stableSourcePaths(map, workingDirectory);
  const code = files[CODE_FILE];
  if (!code) throw new BundleError(`esbuild produced no ${CODE_FILE} for ${entry}`);
  // With an external map esbuild adds no sourceMappingURL comment; the runtime finds the map by it.
  const codeWithMapLink = Buffer.concat([code, Buffer.from(`\n//# sourceMappingURL=${CODE_FILE}.map\n`)]);
  files[CODE_FILE] = codeWithMapLink;

  const zip = deterministicZip(files);
  const digest = createHash("sha256").update(zip);
  const sha256Hex = digest.copy().digest("hex");
  const sha256Base64 = digest.digest("base64");
  mkdirSync(outputDirectory, { recursive: true });
  const zipPath = path.join(outputDirectory, `${sha256Hex.slice(0, 16)}.zip`);
  writeFileSync(zipPath, zip);

  const bundle: FunctionBundle = {
    zipPath,
    sha256Base64,
    sha256Hex,
    zipBytes: zip.byteLength,
    codeBytes: codeWithMapLink.byteLength,
    handler: "index.handler",
  };
  cache.set(key, bundle);
  return bundle;
}
