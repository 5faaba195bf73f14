/** A benchmark's goal, judged on one run. */
export interface Goal {
  readonly name: string;
  readonly met: boolean;
  /** The comparison behind the verdict, e.g. `20.5 <= 26.0 ms`. */
  readonly detail: string;
}

export function verdict(met: boolean): string {
  return met ? "met" : "MISSED";
}

/** `met (20.5 <= 26.0 ms)`: the cell a table shows in its goal column. */
export function goalCell(goal: Goal): string {
  return `${verdict(goal.met)} (${goal.detail})`;
}

export function goalsSummary(goals: readonly Goal[]): string {
  const missed = goals.filter((goal) => !goal.met).map((goal) => goal.name);
  const met = `Goals: ${goals.length - missed.length}/${goals.length} met`;
  return missed.length > 0 ? `${met}; missed: ${missed.join("; ")}.` : `${met}.`;
}
