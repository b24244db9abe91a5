import type { Log } from '../log.js';
import { loopBackoffMs } from './backoff.js';
import { PollLoop, UNTIL_WOKEN } from './poll-loop.js';

export interface BatchWriterOptions<T, R> {
  /** Names the writer in its log lines ("job end states"). */
  name: string;
  log: Log;
  maxBatch: number;
  /** Writes one batch in one transaction; resolves with one result per item, in order. */
  write: (items: T[]) => Promise<R[]>;
  /**
   * Errors after which the same batch is tried again, whole, once the loop's backoff is over (the
   * database is unreachable): nothing is split or given up while the database is away.
   */
  isTransient: (error: unknown) => boolean;
  /** Other errors: the batch is split in halves until the failing item is alone; it gets this many tries. @default 1 */
  maxTries?: number;
  /** Items with one key replace each other while they wait (the latest wins; both writes resolve with it). */
  keyOf?: (item: T) => number | string;
}

/** Rejects writes still waiting when the writer is closed (shutdown). */
export class WriterClosedError extends Error {
  constructor(name: string) {
    super(`${name}: the writer was closed before this write could be made`);
    this.name = 'WriterClosedError';
  }
}

interface Entry<T, R> {
  item: T;
  tries: number;
  /** A single item retried after a non-transient failure waits until then. */
  dueAt: number;
  waiters: { resolve: (result: R) => void; reject: (error: unknown) => void }[];
}

/**
 * Writes items in batches without waiting for a batch to fill: a write starts as soon as the previous
 * one is done and takes everything that queued meanwhile (graphile-worker's `completeJobBatchDelay: 0`).
 * Idle it costs nothing; busy, one commit covers many items. A failing batch is split in halves so
 * one bad item cannot hold the others back; while the database is unreachable the whole batch waits
 * on the loop's backoff instead of every item retrying on a timer of its own.
 */
export class BatchWriter<T, R> {
  private queue: Entry<T, R>[] = [];
  /** Halves of failed batches and batches put back during an outage: written before the queue. */
  private groups: Entry<T, R>[][] = [];
  private retries: Entry<T, R>[] = [];
  private readonly byKey = new Map<number | string, Entry<T, R>>();
  private inFlight: Entry<T, R>[] = [];
  private current: Promise<unknown> | null = null;
  private readonly loop: PollLoop;
  private closed = false;

  constructor(private readonly options: BatchWriterOptions<T, R>) {
    this.loop = new PollLoop({ name: `writing ${options.name}`, log: options.log, step: () => this.step(), pending: () => this.pending });
    this.loop.start();
  }

  /** Resolves with the item's result once its batch is written; rejects when it cannot be written. */
  write(item: T): Promise<R> {
    if (this.closed) return Promise.reject(new WriterClosedError(this.options.name));
    return new Promise<R>((resolve, reject) => {
      const key = this.options.keyOf?.(item);
      const waiting = key === undefined ? undefined : this.byKey.get(key);
      if (waiting) {
        waiting.item = item;
        waiting.waiters.push({ resolve, reject });
        return;
      }
      const entry: Entry<T, R> = { item, tries: 0, dueAt: 0, waiters: [{ resolve, reject }] };
      if (key !== undefined) this.byKey.set(key, entry);
      this.queue.push(entry);
      this.loop.wake();
    });
  }

  /**
   * Drops the waiting item with this key (its writes resolve with `result`) and waits for a write of
   * that key already under way: after this, nothing of the key lands any more.
   */
  async forget(key: number | string, result: R): Promise<void> {
    const entry = this.byKey.get(key);
    if (entry) {
      this.byKey.delete(key);
      const drop = (list: Entry<T, R>[]) => {
        const i = list.indexOf(entry);
        if (i !== -1) list.splice(i, 1);
      };
      drop(this.queue);
      drop(this.retries);
      for (const group of this.groups) drop(group);
      this.groups = this.groups.filter((g) => g.length > 0);
      for (const w of entry.waiters) w.resolve(result);
    }
    while (this.current && this.inFlight.some((e) => this.options.keyOf?.(e.item) === key)) await this.current;
  }

  /** Items waiting or being written. */
  get pending(): number {
    return this.queue.length + this.retries.length + this.inFlight.length + this.groups.reduce((n, g) => n + g.length, 0);
  }

  /**
   * Shutdown: new writes are refused; what queued is still written while the database answers, and
   * given up (rejected with WriterClosedError) once the writer is backing off or only retries are left.
   */
  async close(): Promise<void> {
    this.closed = true;
    while (this.pending > this.retries.length && this.loop.failing === 0) await new Promise((r) => setTimeout(r, 5));
    const error = new WriterClosedError(this.options.name);
    const waiting = [...this.queue, ...this.retries, ...this.groups.flat()];
    this.queue = [];
    this.retries = [];
    this.groups = [];
    this.byKey.clear();
    for (const entry of waiting) for (const w of entry.waiters) w.reject(error);
    await this.loop.stop();
  }

  private takeBatch(now: number): Entry<T, R>[] {
    const group = this.groups.shift();
    if (group) return group;
    const due = this.retries.findIndex((e) => e.dueAt <= now);
    if (due !== -1) return this.retries.splice(due, 1);
    return this.queue.splice(0, this.options.maxBatch);
  }

  private async step(): Promise<number> {
    const batch = this.takeBatch(Date.now());
    if (batch.length > 0) await this.writeBatch(batch);
    return this.nextWait();
  }

  private nextWait(): number {
    if (this.groups.length > 0 || this.queue.length > 0) return 0;
    if (this.retries.length === 0) return UNTIL_WOKEN;
    return Math.max(0, Math.min(...this.retries.map((e) => e.dueAt)) - Date.now());
  }

  private async writeBatch(batch: Entry<T, R>[]): Promise<void> {
    const { keyOf } = this.options;
    // From here on a newer item with the same key queues behind this write instead of replacing it.
    if (keyOf) for (const e of batch) if (this.byKey.get(keyOf(e.item)) === e) this.byKey.delete(keyOf(e.item));
    this.inFlight = batch;
    let results: R[];
    try {
      const writing = this.options.write(batch.map((e) => e.item));
      this.current = writing.catch(() => {});
      results = await writing;
    } catch (error) {
      this.inFlight = [];
      this.current = null;
      this.failed(batch, error);
      return;
    }
    this.inFlight = [];
    this.current = null;
    batch.forEach((e, i) => {
      for (const w of e.waiters) w.resolve(results[i]);
    });
  }

  private failed(batch: Entry<T, R>[], error: unknown): void {
    if (this.options.isTransient(error)) {
      this.groups.unshift(batch);
      throw error; // the loop backs off, then this batch is written again first
    }
    if (batch.length > 1) {
      const half = Math.ceil(batch.length / 2);
      this.groups.unshift(batch.slice(0, half), batch.slice(half));
      this.options.log.warn({ err: error, items: batch.length }, `writing ${this.options.name} failed; splitting the batch`);
      return;
    }
    const [entry] = batch;
    entry.tries++;
    if (entry.tries >= (this.options.maxTries ?? 1)) {
      for (const w of entry.waiters) w.reject(error);
      return;
    }
    entry.dueAt = Date.now() + loopBackoffMs(entry.tries);
    this.retries.push(entry);
  }
}
