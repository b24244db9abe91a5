import type { Orm } from '../db/orm.js';
import { DEFAULT_QUEUE } from './queue-name.js';
import { registerQueues } from './queue-state.sql.js';

/**
 * Gives a queue name its queue_state row before the first jobs of it are written, so workers that
 * serve every queue find it there. Names seen once are remembered: a create costs a write only for a
 * name this process has not written before.
 */
export class QueueRegistry {
  private readonly known = new Set<string>([DEFAULT_QUEUE]);

  constructor(private readonly orm: Orm) {}

  async register(names: Iterable<string>): Promise<void> {
    const fresh = [...new Set(names)].filter((n) => !this.known.has(n));
    if (fresh.length === 0) return;
    await registerQueues(this.orm.em.fork(), fresh);
    for (const name of fresh) this.known.add(name);
  }

  /** A name written by other means (settings saved). */
  remember(name: string): void {
    this.known.add(name);
  }
}
