/**
 * The hashicorp/aws versions the construct's resources are written for: the 5.x series the provider
 * bindings were generated from, and 6.x, so a stack can sit beside other teams' modules that have
 * moved on. An app pins its stack's provider to this range (the Terraform module declares it too).
 */
export const AWS_PROVIDER_VERSION_RANGE = ">= 5.100.0, < 7.0.0";
