import { readFileSync } from "node:fs";
import path from "node:path";

/** The published packages, in build order: the construct's build reads the runtime's declarations. */
export const WORKSPACES = [
  { name: "@queue-processor/runtime", folder: "functions/runtime", unpublished: [] },
  // The Terraform module's generator is this repository's tooling (npm run build:module), not the API.
  { name: "@queue-processor/construct", folder: "modules", unpublished: ["terraform-module"] },
] as const;

export type Workspace = (typeof WORKSPACES)[number];

/** The condition under which a workspace's exports name its TypeScript sources (this repository only). */
const SOURCE_CONDITION = "@queue-processor/source";

export interface PackageManifest {
  readonly name: string;
  readonly version: string;
  readonly exports: Record<string, string | Record<string, string>>;
  readonly [field: string]: unknown;
}

export function readManifest(projectRoot: string, workspace: Workspace): PackageManifest {
  return JSON.parse(readFileSync(path.join(projectRoot, workspace.folder, "package.json"), "utf8")) as PackageManifest;
}

/**
 * The manifest as published: without the source condition (its TypeScript files are not in the
 * tarball) and without what only this repository uses.
 */
export function publishedManifest(manifest: PackageManifest): PackageManifest {
  const exports = Object.fromEntries(
    Object.entries(manifest.exports).map(([subpath, target]) => {
      if (typeof target === "string") return [subpath, target];
      const { [SOURCE_CONDITION]: _source, ...published } = target;
      return [subpath, published];
    }),
  );
  const { scripts: _scripts, devDependencies: _devDependencies, ...rest } = manifest;
  return { ...rest, exports };
}

/** `types` targets of a manifest's exports, by package specifier: how a dependent build finds them. */
export function typesBySpecifier(manifest: PackageManifest, distRoot: string): Record<string, string[]> {
  const paths: Record<string, string[]> = {};
  for (const [subpath, target] of Object.entries(manifest.exports)) {
    if (typeof target === "string" || !target.types) continue;
    const specifier = subpath === "." ? manifest.name : `${manifest.name}/${subpath.slice(2)}`;
    paths[specifier] = [path.join(distRoot, target.types)];
  }
  return paths;
}
