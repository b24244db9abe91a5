/**
 * Jobs claimed ahead and waiting for a handler slot, one line per queue, taken from the lines in
 * turn: a job of a quiet queue starts at the next free slot, not after everything another queue's
 * backlog put ahead of it. Inside a line, claim order (priority, then run_at, then id).
 */
export class ReadyQueue<T extends { job: { queue: string } }> {
  private readonly lines = new Map<string, T[]>();
  private size = 0;

  get length(): number {
    return this.size;
  }

  push(item: T): void {
    const line = this.lines.get(item.job.queue);
    if (line) line.push(item);
    else this.lines.set(item.job.queue, [item]);
    this.size++;
  }

  /** The first job of the next line in turn; that line then goes to the back. */
  shift(): T | undefined {
    for (const [queue, line] of this.lines) {
      const item = line.shift()!;
      this.lines.delete(queue);
      if (line.length > 0) this.lines.set(queue, line);
      this.size--;
      return item;
    }
    return undefined;
  }

  /** Empties the queue, returning every waiting job. */
  drain(): T[] {
    const all = [...this.lines.values()].flat();
    this.lines.clear();
    this.size = 0;
    return all;
  }
}
