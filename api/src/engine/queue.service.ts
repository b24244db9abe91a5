import type { Orm } from '../db/orm.js';
import { countActive, DEFAULT_QUEUE, readPaused, writePaused } from './sql/queue-state.js';
import type { QueueInfo } from './queue.types.js';

/**
 * Pause and resume, stored in the database so every worker process obeys them. Workers in this
 * process hear a change at once; other processes within one poll interval.
 */
export class QueueService {
  private readonly listeners = new Set<(paused: boolean) => void>();

  constructor(
    private readonly orm: Orm,
    private readonly concurrency: number,
  ) {}

  onChange(listener: (paused: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  isPaused(): Promise<boolean> {
    return readPaused(this.orm);
  }

  async pause(): Promise<QueueInfo> {
    return this.set(true);
  }

  async resume(): Promise<QueueInfo> {
    return this.set(false);
  }

  async info(): Promise<QueueInfo> {
    const [paused, counts] = await Promise.all([readPaused(this.orm), countActive(this.orm)]);
    return { name: DEFAULT_QUEUE, paused, concurrency: this.concurrency, ...counts };
  }

  private async set(paused: boolean): Promise<QueueInfo> {
    await writePaused(this.orm, paused);
    for (const listener of this.listeners) listener(paused);
    return this.info();
  }
}
