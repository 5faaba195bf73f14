import type { Context } from "aws-lambda";

/** The context fields that travel to a container; the methods are rebuilt there. */
export type ContextFields = Omit<
  Context,
  "getRemainingTimeInMillis" | "done" | "fail" | "succeed" | "callbackWaitsForEmptyEventLoop"
>;

/** Parent to container: run one invocation. */
export interface ContainerRequest {
  readonly id: number;
  readonly event: unknown;
  readonly context: ContextFields;
  /** Epoch milliseconds at which the function times out. */
  readonly deadline: number;
}

/** Container to parent. */
export type ContainerReply =
  | { readonly type: "ready" }
  | { readonly type: "result"; readonly id: number; readonly result: unknown }
  | { readonly type: "error"; readonly id: number; readonly errorType: string; readonly errorMessage: string };
