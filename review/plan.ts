/**
 * `npm run plan -- <env> [--offline] [--no-lock]`: synth, terraform init and terraform plan of one
 * environment, written next to its stack as plan.bin, plan.json (`terraform show -json`) and plan.txt,
 * with plan.fingerprint.json: what the plan was made from, which `npm run apply` checks (apply.ts).
 *
 * With AWS credentials in the environment it is the real plan, against the stack's configured backend.
 * Without them (or with --offline) it plans a scratch copy against an empty state with dummy keys,
 * and says so loudly: such a plan shows everything as new and is for reviewing the configuration.
 * --no-lock plans without taking the state lock, so that a role that can only read the state can plan
 * (a pull request's plan); a plan that is applied keeps the lock.
 * Exits 0 when the plan is written, 2 on bad usage or when synth or terraform fails, 3 on an internal
 * error (review/command.ts).
 */
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ENVIRONMENTS } from "../config/environments.js";
import { stopOnSignals } from "./child-processes.js";
import { EXIT, InputError, runCommand } from "./command.js";
import { hasAwsCredentials } from "./credentials.js";
import { currentCommit, fingerprintOf, writeFingerprint } from "./plan-fingerprint.js";
import { synthesizeStack } from "./synthesize.js";
import { init, planArguments, prepareOfflineCopy, providerMirror, terraform } from "./terraform.js";

const OPTIONS = ["--offline", "--no-lock"];

const OFFLINE_BANNER =
  "OFFLINE PLAN: no AWS credentials were found, so this plan uses dummy keys against an EMPTY state. " +
  "Every resource shows as new; it reviews the configuration, not the change to what is deployed.";

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const names = ENVIRONMENTS.map((environment) => environment.name);
  const env = args.find((arg) => !arg.startsWith("--"));
  const unknownFlags = args.filter((arg) => arg.startsWith("--") && !OPTIONS.includes(arg));
  if (!env || !names.includes(env) || unknownFlags.length > 0) {
    throw new InputError(
      `usage: npm run plan -- <environment> [--offline] [--no-lock]\n` +
        `environment must be one of ${names.join(", ")} (got ${JSON.stringify(env ?? "")})` +
        (unknownFlags.length > 0 ? `; unknown option ${unknownFlags.join(", ")}` : ""),
    );
  }
  // Terraform gets the signal and stops as it does at a Ctrl-C, releasing the state lock of a real plan.
  stopOnSignals("npm run plan", "terraform is told to stop first");
  const offline = args.includes("--offline") || !hasAwsCredentials(process.env);
  const outdir = path.resolve(process.env.CDKTF_OUTDIR ?? "cdktf.out");

  const stackDir = await synthesizeStack(env, outdir);

  let workDir = stackDir;
  if (offline) {
    console.log(`\n${OFFLINE_BANNER}\n`);
    workDir = path.join(outdir, "plans", env);
    rmSync(workDir, { recursive: true, force: true });
    mkdirSync(path.dirname(workDir), { recursive: true });
    prepareOfflineCopy(stackDir, workDir);
  }
  const mirror = providerMirror();
  console.log(
    `terraform init in ${path.relative(process.cwd(), workDir)} (providers from ${mirror ?? "the registry"})`,
  );
  await init(workDir);
  // An offline plan's scratch state is its own; a --no-lock plan must not write the shared one.
  const lock = !offline && !args.includes("--no-lock");
  if (!offline && !lock) console.log("terraform plan without the state lock (--no-lock): the state is only read");
  await terraform(workDir, planArguments({ lock }));
  const json = await terraform(workDir, ["show", "-json", "plan.bin"]);
  const text = await terraform(workDir, ["show", "-no-color", "plan.bin"]);

  const files = {
    bin: path.join(stackDir, "plan.bin"),
    json: path.join(stackDir, "plan.json"),
    text: path.join(stackDir, "plan.txt"),
  };
  if (workDir !== stackDir) copyFileSync(path.join(workDir, "plan.bin"), files.bin);
  writeFileSync(files.json, json);
  writeFileSync(files.text, offline ? `${OFFLINE_BANNER}\n\n${text}` : text);
  // What the plan was made from, for the apply to check (npm run apply, review/apply.ts).
  const commit = await currentCommit(process.cwd());
  const fingerprint = writeFingerprint(stackDir, fingerprintOf(stackDir, { environment: env, commit, offline }));

  const summary = /Plan: .*|No changes\..*/.exec(text)?.[0] ?? "(no summary line)";
  console.log(`${offline ? "[offline] " : ""}${env}: ${summary}`);
  for (const file of [...Object.values(files), fingerprint]) console.log(`  ${path.relative(process.cwd(), file)}`);
  return EXIT.pass;
}

runCommand("plan", main);
