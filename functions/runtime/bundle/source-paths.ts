import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

/**
 * A source map whose `sources` do not depend on where the project or its packages sit on disk: the
 * project's own files stay relative to its root, and a file of an installed package becomes
 * `node_modules/<package name>/<path in the package>`, whether the package is in `node_modules`, linked
 * there from elsewhere (`file:`, workspaces, pnpm), or installed higher up.
 */
export function stableSourcePaths(map: Uint8Array, projectRoot: string): Uint8Array {
  const parsed = JSON.parse(Buffer.from(map).toString("utf8")) as { sources?: string[] };
  if (!Array.isArray(parsed.sources)) return map;
  const packageRoots = new Map<string, PackageRoot | undefined>();
  parsed.sources = parsed.sources.map((source) => {
    const file = path.resolve(projectRoot, source);
    const relative = path.relative(projectRoot, file);
    const ownFile = !relative.startsWith("..") && !relative.split(path.sep).includes("node_modules");
    if (ownFile) return toPosix(relative);
    const owner = packageRootOf(path.dirname(file), packageRoots);
    return owner
      ? toPosix(path.join("node_modules", owner.name, path.relative(owner.folder, file)))
      : toPosix(relative);
  });
  return Buffer.from(JSON.stringify(parsed));
}

interface PackageRoot {
  readonly folder: string;
  readonly name: string;
}

/** The nearest folder up from `folder` whose package.json has a name: the package a file belongs to. */
function packageRootOf(folder: string, known: Map<string, PackageRoot | undefined>): PackageRoot | undefined {
  if (known.has(folder)) return known.get(folder);
  let found: PackageRoot | undefined;
  const manifest = path.join(folder, "package.json");
  const name = existsSync(manifest) ? packageName(manifest) : undefined;
  if (name) found = { folder, name };
  else if (path.dirname(folder) !== folder) found = packageRootOf(path.dirname(folder), known);
  known.set(folder, found);
  return found;
}

function packageName(manifest: string): string | undefined {
  try {
    const { name } = JSON.parse(readFileSync(manifest, "utf8")) as { name?: unknown };
    return typeof name === "string" && name !== "" ? name : undefined;
  } catch {
    return undefined;
  }
}

const toPosix = (file: string): string => file.split(path.sep).join("/");
