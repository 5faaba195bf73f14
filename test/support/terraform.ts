// The terraform helpers live with the scripts that use them too (npm run plan).

export type { OfflinePlan } from "../../review/terraform.js";
export { planOffline, providerMirror, terraformVersion } from "../../review/terraform.js";

/**
 * For a hook that runs terraform on several stacks: on a busy 2-core machine that takes minutes.
 * The timeout is there to end a hang, not a slow run.
 */
export const TERRAFORM_HOOK_TIMEOUT_MS = 300_000;
