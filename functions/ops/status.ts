import type { PipelineTarget } from "./pipeline-target.js";

// Placeholder so the command compiles before the merge: the ops-status lane writes the real renderer
// with this signature, and the merge takes that file whole.

export interface StatusOptions {
  readonly json: boolean;
  readonly hours: number;
  readonly now?: Date;
  readonly color?: boolean;
  readonly width?: number;
}

export async function renderStatus(_target: PipelineTarget, _options: StatusOptions): Promise<string> {
  throw new Error("status: not built yet (the ops-status lane provides renderStatus)");
}
