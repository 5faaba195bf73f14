// The terraform helpers live with the scripts that use them too (npm run plan).

export type { OfflinePlan } from "../../review/terraform.js";
export { planOffline, providerMirror, terraformVersion } from "../../review/terraform.js";
