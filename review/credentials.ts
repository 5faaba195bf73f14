/** Where AWS credentials can come from (the SDK's default chain); any of them makes a plan real. */
const CREDENTIAL_VARIABLES = [
  "AWS_ACCESS_KEY_ID",
  "AWS_PROFILE",
  "AWS_WEB_IDENTITY_TOKEN_FILE",
  "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
  "AWS_CONTAINER_CREDENTIALS_FULL_URI",
];

export function hasAwsCredentials(environment: NodeJS.ProcessEnv): boolean {
  return CREDENTIAL_VARIABLES.some((name) => Boolean(environment[name]));
}

/** The environment without any of those variables: what a plan test runs with, to stay offline. */
export function withoutAwsCredentials(environment: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const copy = { ...environment };
  for (const name of CREDENTIAL_VARIABLES) delete copy[name];
  return copy;
}
