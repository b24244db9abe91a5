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
  /** The lines in the order they take turns; an emptied line keeps its place (there are few queues). */
  private readonly order: T[][] = [];
  private turn = 0;
  private size = 0;

  get length(): number {
    return this.size;
  }

  push(item: T): void {
    let line = this.lines.get(item.job.queue);
    if (!line) {
      line = [];
      this.lines.set(item.job.queue, line);
      this.order.push(line);
    }
    line.push(item);
    this.size++;
  }

  pushFirst(item: T): void {
    this.first.push(item);
    this.size++;
  }

  /** A job pushed first, else the first job of the next non-empty line in turn. */
  shift(): T | undefined {
    if (this.size === 0) return undefined;
    this.size--;
    if (this.first.length > 0) return this.first.shift();
    // One queue (the common case) takes no turns.
    if (this.order.length === 1) return this.order[0].shift();
    for (;;) {
      const line = this.order[this.turn];
      this.turn = (this.turn + 1) % this.order.length;
      if (line.length > 0) return line.shift();
    }
  }

  /** Empties the queue, returning every waiting job. */
  drain(): T[] {
    const all = [...this.first.splice(0), ...this.order.flatMap((line) => line.splice(0))];
    this.size = 0;
    return all;
  }
}
