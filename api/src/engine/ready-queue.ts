/**
 * Jobs claimed ahead and waiting for a handler slot, one line per queue, taken from the lines in
 * turn: a job of a quiet queue starts at the next free slot, not after everything another queue's
 * backlog put ahead of it. Inside a line, claim order (priority, then run_at, then id). Jobs claimed
 * for a slot free now (limited queues) go before every line.
 */
export class ReadyQueue<T extends { job: { queue: string } }> {
  /** Claimed for a slot that is free now (limited queues): started before every line. */
  private readonly first: T[] = [];
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

  pushFirst(item: T): void {
    this.first.push(item);
    this.size++;
  }

  /** A job pushed first, else the first job of the next line in turn; that line then goes to the back. */
  shift(): T | undefined {
    if (this.first.length > 0) {
      this.size--;
      return this.first.shift();
    }
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
    const all = [...this.first.splice(0), ...[...this.lines.values()].flat()];
    this.lines.clear();
    this.size = 0;
    return all;
  }
}
