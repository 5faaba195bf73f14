/**
 * Which environments the policy judges as production. A plan that destroys data is blocking unless it
 * is for one of the configured environments whose own configuration leaves its data unprotected
 * (`tableDeletionProtection: false` in config/environments.ts: dev and staging). Any other name, and no
 * name at all, is judged as production: a spelling must never turn a blocking finding into advice.
 */
import { ENVIRONMENTS } from "../../config/environments.js";

/** Every configured environment name, as configured (case-sensitive). */
const CONFIGURED_ENVIRONMENTS: readonly string[] = ENVIRONMENTS.map((environment) => environment.name);

/** The configured environments whose data may be lost without blocking a change. */
export const NON_PRODUCTION_ENVIRONMENTS: readonly string[] = ENVIRONMENTS.filter(
  (environment) => !environment.tableDeletionProtection,
).map((environment) => environment.name);

/** True only for a configured non-production environment named exactly as configured. */
export function isNonProduction(environment: string | undefined): boolean {
  return environment !== undefined && NON_PRODUCTION_ENVIRONMENTS.includes(environment);
}

/**
 * Why a name given on a command line is refused: it must be a configured environment exactly as
 * configured (`Prod`, `production`, `dev ` are refused rather than guessed). Undefined when accepted.
 */
export function environmentNameError(option: string, environment: string): string | undefined {
  if (CONFIGURED_ENVIRONMENTS.includes(environment)) return undefined;
  const near = CONFIGURED_ENVIRONMENTS.find((name) => name.toLowerCase() === environment.trim().toLowerCase());
  return (
    `${option} must be one of ${CONFIGURED_ENVIRONMENTS.join(", ")}, exactly as configured (got ${JSON.stringify(environment)}` +
    `${near ? `; did you mean ${near}?` : ""}); leave it out to judge the plan as production`
  );
}

/** How a finding's severity follows from the environment, in words for its message. */
export function environmentJudgement(environment: string | undefined): string {
  if (environment === undefined) return "no environment given: judged as production";
  if (isNonProduction(environment)) return `${environment} is a configured non-production environment`;
  if (CONFIGURED_ENVIRONMENTS.includes(environment)) return `${environment} is production`;
  return `${JSON.stringify(environment)} is not a configured non-production environment (${NON_PRODUCTION_ENVIRONMENTS.join(", ")}): judged as production`;
}
