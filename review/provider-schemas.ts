import { createHash, randomUUID } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";
import type { ProviderSchemas } from "./schema-types.js";
import { terraformVersion } from "./terraform.js";
import type { Workspace } from "./workspace.js";

/**
 * `terraform providers schema -json` costs some 3 CPU-seconds (the AWS provider's schema is 13 MB) and
 * depends only on terraform's version and the providers the lock file pins, by checksum: it is kept
 * in `${XDG_CACHE_HOME:-~/.cache}/queue-processor/provider-schemas/`, by those, and asked of terraform
 * only when that cache lacks it or holds something unreadable.
 */
function cacheFolder(): string {
  const cacheHome = process.env.XDG_CACHE_HOME || path.join(homedir(), ".cache");
  return path.join(cacheHome, "queue-processor", "provider-schemas");
}

function cacheKey(workspace: Workspace): string {
  const lockFile = path.join(workspace.dir, ".terraform.lock.hcl");
  const lock = existsSync(lockFile) ? readFileSync(lockFile, "utf8") : "";
  // Without a lock file the providers are not pinned: nothing to key a cache on.
  if (lock === "") return "";
  return createHash("sha256")
    .update(JSON.stringify([terraformVersion(), lock]))
    .digest("hex");
}

function readCached(file: string): ProviderSchemas | undefined {
  try {
    const schemas = JSON.parse(readFileSync(file, "utf8")) as ProviderSchemas;
    return typeof schemas.provider_schemas === "object" && schemas.provider_schemas !== null ? schemas : undefined;
  } catch {
    return undefined;
  }
}

function writeCached(file: string, json: string): void {
  // Whole or not at all: a review killed meanwhile, or one beside it, never reads half a file.
  const partial = `${file}.${process.pid}-${randomUUID()}.partial`;
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(partial, json);
    renameSync(partial, file);
  } catch {
    // A cache that cannot be written costs the next review 3 s, nothing more.
    rmSync(partial, { force: true });
  }
}

// Promises, so that environments reviewed side by side ask for the schemas once.
const requests = new Map<string, Promise<ProviderSchemas>>();

/** The provider schemas of an initialised workspace, from the cache when it has them. */
export function providerSchemas(workspace: Workspace): Promise<ProviderSchemas> {
  const key = cacheKey(workspace);
  const file = key === "" ? undefined : path.join(cacheFolder(), `${key}.json`);
  const requestKey = file ?? workspace.dir;
  let request = requests.get(requestKey);
  if (!request) {
    const cached = file ? readCached(file) : undefined;
    request = cached
      ? Promise.resolve(cached)
      : workspace.run(["providers", "schema", "-json"]).then((json) => {
          if (file) writeCached(file, json);
          return JSON.parse(json) as ProviderSchemas;
        });
    // A failed request (a review stopped meanwhile) is asked again by the next one, not handed on.
    request.catch(() => requests.delete(requestKey));
    requests.set(requestKey, request);
  }
  return request;
}
