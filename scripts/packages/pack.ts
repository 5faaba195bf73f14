import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { onExit } from "../exit-cleanup.js";
import {
  type PackageManifest,
  publishedManifest,
  readManifest,
  typesBySpecifier,
  WORKSPACES,
  type Workspace,
} from "./workspaces.js";

export interface PackedPackage {
  readonly name: string;
  readonly version: string;
  /** Absolute path of the .tgz. */
  readonly tarball: string;
  readonly files: readonly string[];
  readonly packedBytes: number;
}

/**
 * Builds each workspace package (tsc: ESM JavaScript and .d.ts) in a scratch folder and packs it with
 * npm into `destination`, as it would be published. Nothing is written into the workspaces: the
 * construct's build finds the runtime's fresh declarations in the scratch folder, not a stale dist/.
 */
export function packPackages(projectRoot: string, destination: string): PackedPackage[] {
  const scratch = mkdtempSync(path.join(tmpdir(), "qp-pack-"));
  const removeScratch = onExit(() => rmSync(scratch, { recursive: true, force: true }));
  try {
    mkdirSync(destination, { recursive: true });
    const typesOfBuilt: Record<string, string[]> = {};
    return WORKSPACES.map((workspace) => {
      const manifest = readManifest(projectRoot, workspace);
      const stage = path.join(scratch, workspace.folder.replaceAll("/", "-"));
      compile(projectRoot, workspace, stage, typesOfBuilt);
      Object.assign(typesOfBuilt, typesBySpecifier(manifest, stage));
      stageManifestAndDocs(projectRoot, workspace.folder, stage, manifest);
      return npmPack(stage, destination);
    });
  } finally {
    removeScratch();
  }
}

function compile(projectRoot: string, workspace: Workspace, stage: string, paths: Record<string, string[]>): void {
  const source = path.join(projectRoot, workspace.folder);
  const tsconfig = path.join(stage, "tsconfig.json");
  mkdirSync(stage, { recursive: true });
  writeFileSync(
    tsconfig,
    JSON.stringify({
      extends: path.join(projectRoot, "tsconfig.package.json"),
      compilerOptions: {
        rootDir: source,
        outDir: path.join(stage, "dist"),
        types: ["node"],
        typeRoots: [path.join(projectRoot, "node_modules", "@types")],
        paths,
      },
      include: [path.join(source, "**/*.ts")],
      exclude: [
        path.join(source, "dist"),
        path.join(source, "node_modules"),
        ...workspace.unpublished.map((folder) => path.join(source, folder)),
      ],
    }),
  );
  execFileSync(path.join(projectRoot, "node_modules", ".bin", "tsc"), ["-p", tsconfig], {
    cwd: projectRoot,
    stdio: "inherit",
  });
  rmSync(tsconfig);
}

function stageManifestAndDocs(projectRoot: string, folder: string, stage: string, manifest: PackageManifest): void {
  writeFileSync(path.join(stage, "package.json"), `${JSON.stringify(publishedManifest(manifest), null, 2)}\n`);
  for (const document of ["README.md", "CHANGELOG.md"]) {
    const file = path.join(projectRoot, folder, document);
    if (existsSync(file)) cpSync(file, path.join(stage, document));
  }
}

function npmPack(stage: string, destination: string): PackedPackage {
  const output = execFileSync("npm", ["pack", stage, "--pack-destination", destination, "--json", "--ignore-scripts"], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  const [packed] = JSON.parse(output) as {
    name: string;
    version: string;
    filename: string;
    size: number;
    files: { path: string }[];
  }[];
  if (!packed) throw new Error(`npm pack printed no result for ${stage}`);
  return {
    name: packed.name,
    version: packed.version,
    tarball: path.join(destination, packed.filename),
    files: packed.files.map((file) => file.path).sort(),
    packedBytes: packed.size,
  };
}
