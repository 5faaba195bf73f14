/**
 * Bad input or a target the command cannot work on (unknown environment, a queue that does not exist,
 * no credentials, a malformed line): the command prints its message on one line and exits 2.
 */
export class OpsInputError extends Error {
  override readonly name = "OpsInputError";
}

/** The exit status of bad input, as for the project's other commands. */
export const INPUT_ERROR_EXIT = 2;
