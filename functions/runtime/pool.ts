/**
 * Runs `worker` over `items` with at most `limit` running at once, in order of start. Workers must
 * not throw: each reports its own outcome.
 */
export async function runBounded<T>(
  items: readonly T[],
  limit: number,
  worker: (item: T, index: number) => Promise<void>,
): Promise<void> {
  // Everything fits at once (a typical batch of 10): no lanes to schedule.
  if (items.length <= limit) {
    await Promise.all(items.map(worker));
    return;
  }
  // One iterator shared by every lane: each lane takes the next item as soon as its previous one is done.
  const queue = items.entries();
  const lane = async () => {
    for (const [index, item] of queue) await worker(item, index);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}
