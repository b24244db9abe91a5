interface Waiting<T, R> {
  item: T;
  resolve: (result: R) => void;
  reject: (error: unknown) => void;
}

export interface CoalescedWritesOptions<T, R> {
  /** Items one write may take. */
  maxBatch: number;
  /** Writes items in one statement or transaction; resolves with one result per item, in order. */
  write: (items: T[]) => Promise<R[]>;
  /** Errors that fail every item of the batch at once (the database is unreachable). */
  isUnavailable: (error: unknown) => boolean;
}

/**
 * Writes that requests make one at a time, shared when they arrive together: the first goes at once
 * (with what the same turn added), what queues while it is out goes next in one write. Idle it adds no wait; under concurrent
 * requests one statement and one commit cover many. A failed batch is tried again item by item, so a
 * bad item fails only its own request; while the database is unreachable the whole batch fails at once
 * (the caller answers its request; nothing waits on a backoff as the engine's BatchWriter does).
 */
export class CoalescedWrites<T, R> {
  private waiting: Waiting<T, R>[] = [];
  private busy = false;

  constructor(private readonly options: CoalescedWritesOptions<T, R>) {}

  add(item: T): Promise<R> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      if (this.busy) return;
      // Started a microtask later, so the items of one request (added in one turn) go in one write.
      this.busy = true;
      queueMicrotask(() => void this.drain());
    });
  }

  /** Several items of one request: written together (with whatever else queued), each answered on its own. */
  addAll(items: readonly T[]): Promise<PromiseSettledResult<R>[]> {
    return Promise.allSettled(items.map((item) => this.add(item)));
  }

  private async drain(): Promise<void> {
    const { maxBatch, write, isUnavailable } = this.options;
    while (this.waiting.length > 0) {
      const batch = this.waiting.splice(0, maxBatch);
      try {
        const results = await write(batch.map((w) => w.item));
        batch.forEach((w, i) => w.resolve(results[i]));
      } catch (error) {
        // Without a database every try would fail the same way, each after its own timeout.
        if (batch.length === 1 || isUnavailable(error)) for (const w of batch) w.reject(error);
        else for (const w of batch) await write([w.item]).then(([result]) => w.resolve(result), w.reject);
      }
    }
    this.busy = false;
  }
}
