/**
 * Reads a Terraform dependency lock file (`.terraform.lock.hcl`) as `terraform init` and
 * `terraform providers lock` write it: one `provider "<address>"` block per provider, with its
 * `version`, `constraints` and `hashes`. Anything else is an error naming the line: a lock file this
 * reader does not understand is not trusted.
 */

interface LockedProvider {
  readonly version: string;
  /** The constraint the lock was made for; absent when the configuration gave none. */
  readonly constraints?: string;
  readonly hashes: readonly string[];
}

/** Locked providers by their full address, e.g. `registry.terraform.io/hashicorp/aws`. */
export type LockedProviders = Readonly<Record<string, LockedProvider>>;

export class LockFileError extends Error {
  override readonly name = "LockFileError";
}

const PROVIDER = /^provider "([^"]+)" \{$/;
const ATTRIBUTE = /^(version|constraints)\s*=\s*"([^"]*)"$/;
const HASH = /^"([^"]+)",?$/;

interface Draft {
  version?: string;
  constraints?: string;
  hashes: string[];
}

export function parseLockFile(text: string): LockedProviders {
  const providers: Record<string, LockedProvider> = {};
  let address: string | undefined;
  let draft: Draft | undefined;
  let inHashes = false;
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = raw.trim();
    const fail = (why: string) => new LockFileError(`line ${index + 1} ("${line}"): ${why}`);
    if (line === "" || line.startsWith("#")) return;
    if (!draft) {
      const match = PROVIDER.exec(line);
      if (!match) throw fail('expected a provider "<address>" { block');
      const [, found = ""] = match;
      if (providers[found]) throw fail(`${found} is locked twice`);
      address = found;
      draft = { hashes: [] };
      return;
    }
    if (inHashes) {
      if (line === "]") inHashes = false;
      else {
        const hash = HASH.exec(line);
        if (!hash) throw fail('expected a "<hash>", entry or ]');
        draft.hashes.push(hash[1] ?? "");
      }
      return;
    }
    if (line === "hashes = [") {
      inHashes = true;
      return;
    }
    if (line === "}") {
      if (!draft.version) throw fail(`${address} has no version`);
      providers[address ?? ""] = { version: draft.version, constraints: draft.constraints, hashes: draft.hashes };
      draft = undefined;
      return;
    }
    const attribute = ATTRIBUTE.exec(line);
    if (!attribute) throw fail("expected version, constraints, hashes or }");
    const [, name, value = ""] = attribute;
    draft[name as "version" | "constraints"] = value;
  });
  if (draft) throw new LockFileError(`the block of ${address} is not closed`);
  return providers;
}
