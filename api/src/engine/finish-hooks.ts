import type { Em } from '../db/orm.js';
import type { Job } from '../jobs/job.entity.js';

/**
 * Runs inside the transaction that writes jobs' COMPLETED or final FAILED states, with that
 * transaction's EntityManager: whatever a hook writes commits or rolls back together with the jobs
 * (the webhook outbox relies on this). A hook that throws rolls the finish back; the jobs stay
 * RUNNING until they are written again or their leases expire.
 *
 * It gets every job one finish batch ended at once, so it can write for all of them in a round trip
 * or two instead of two round trips per job inside the finishing transaction. `outcome` tells it,
 * after the transaction, whether what it wrote is there.
 */
export type FinishHook = (em: Em, jobs: readonly Job[], outcome: FinishOutcome) => Promise<void>;

/**
 * What became of one finishing transaction, for hooks that hand what they wrote to this process
 * (outbox rows written already leased to its webhook sender): on commit they pass it on, otherwise
 * they take it back. A commit whose answer was lost counts as not committed: whatever it wrote leased
 * is taken over once the lease expires, as after a crash.
 */
export class FinishOutcome {
  private readonly committed: (() => void)[] = [];
  private readonly abandoned: (() => void)[] = [];

  onCommit(fn: () => void): void {
    this.committed.push(fn);
  }

  onAbandon(fn: () => void): void {
    this.abandoned.push(fn);
  }

  /** Runs one finishing transaction (`write` commits it), then tells the hooks how it went. */
  static async of<T>(write: (outcome: FinishOutcome) => Promise<T>): Promise<T> {
    const outcome = new FinishOutcome();
    let result: T;
    try {
      result = await write(outcome);
    } catch (error) {
      for (const fn of outcome.abandoned) fn();
      throw error;
    }
    for (const fn of outcome.committed) fn();
    return result;
  }
}
