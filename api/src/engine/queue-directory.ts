import type { Orm } from '../db/orm.js';
import { readAllSettings, unlimited, type QueueSettings } from '../queues/queue-state.sql.js';

/**
 * A worker's view of the queues it serves: their pause switches and limits, read from queue_state at
 * most once per poll interval (so a change made in another process takes effect within one poll) and
 * at once after a change made in this process. The limits themselves are checked again under the
 * queue's lock at each limited claim; this view only decides which queues a round asks.
 */
export class QueueDirectory {
  private settings: QueueSettings[] = [];
  private readAt = -Infinity;
  /** Bumped by `invalidate`: a read that was under way then may hold what the change replaced. */
  private generation = 0;

  constructor(
    private readonly orm: Orm,
    /** WORKER_QUEUES; null: every queue. */
    private readonly served: readonly string[] | null,
    private readonly refreshMs: number,
  ) {}

  /** Whether this worker claims from the queue. */
  serves(queue: string): boolean {
    return this.served === null || this.served.includes(queue);
  }

  /** Forget what was read: the next `eligible` reads again. */
  invalidate(): void {
    this.readAt = -Infinity;
    this.generation++;
  }

  /** True when this call read the settings again (a new sweep). */
  async refresh(now = Date.now()): Promise<boolean> {
    if (now - this.readAt < this.refreshMs) return false;
    const generation = this.generation;
    const all = await readAllSettings(this.orm.em.fork());
    const byName = new Map(all.map((s) => [s.name, s]));
    // A served queue with no row yet has no settings: it is claimed from as soon as jobs appear.
    this.settings = this.served === null ? all : this.served.map((name) => byName.get(name) ?? unlimited(name));
    // Changed while this read was under way: use it, but read again at the next round.
    this.readAt = generation === this.generation ? now : -Infinity;
    return true;
  }

  /** The served queues that are not paused, as last read; remote queues are for remote workers only. */
  eligible(): QueueSettings[] {
    return this.settings.filter((s) => !s.paused && !s.remote);
  }

  settingsOf(queue: string): QueueSettings | undefined {
    return this.settings.find((s) => s.name === queue);
  }
}
