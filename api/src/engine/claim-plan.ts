import { isLimited, type QueueSettings } from '../queues/queue-state.sql.js';
import type { LimitedClaim, QueueShare } from './sql/claim-jobs.js';

interface QueueWatch {
  /** The last claim took fewer than it asked for: nothing more was due then. */
  dry: boolean;
  /** A limited queue at its limit: not claimed again before this instant (Infinity: until a slot of it frees). */
  blockedUntil: number;
}

/**
 * Which queues one claim round asks, and for how many jobs. Fair across queues: queues that had work
 * last time split the slots evenly (the remainder going round), and every other queue is probed for
 * one job each round, so a backlog in one queue never hides a job that became due in another. A
 * queue's state is forgotten at every sweep (each poll interval), when a job of it is created in this
 * process, and — for a limited queue — when a slot of it frees here.
 */
export class ClaimPlan {
  private readonly watch = new Map<string, QueueWatch>();
  private turn = 0;

  /** A new sweep: every queue is asked again. */
  sweep(): void {
    this.watch.clear();
  }

  /** The queue's last claim came back short (an unlimited queue) or empty (a limited one). */
  isDry(queue: string): boolean {
    return this.watch.get(queue)?.dry ?? false;
  }

  /** A job of this queue became due here: ask it again. */
  wake(queue: string): void {
    this.watch.delete(queue);
  }

  /** A job of this queue ended here. True when the queue was held back by a limit, which may now have room. */
  slotFreed(queue: string): boolean {
    const w = this.watch.get(queue);
    if (!w || w.dry || w.blockedUntil !== Infinity) return false;
    this.watch.delete(queue);
    return true;
  }

  /**
   * The limited queues to claim from first, one by one, each under its lock, with the handler slots
   * free now (limited queues are never claimed ahead).
   */
  limitedRound(queues: readonly QueueSettings[], startable: number, now: number): { limited: QueueShare[]; starved: boolean } {
    this.turn++;
    const ready = queues.filter((q) => isLimited(q) && (this.watch.get(q.name)?.blockedUntil ?? 0) <= now);
    const starved = ready.length > 0 && startable === 0;
    // No share of at least one here: a limited queue asked for more than the free slots would hold a
    // slot of its limit idle.
    return { limited: starved ? [] : this.split(ready, startable, 0).filter((s) => s.limit > 0), starved };
  }

  /** The unlimited queues to claim from together, sharing `free` (which counts claims ahead). */
  openRound(queues: readonly QueueSettings[], free: number): QueueShare[] {
    const open = queues.filter((q) => !isLimited(q));
    if (open.length === 0 || free <= 0) return [];
    const busy = open.filter((q) => !this.watch.get(q.name)?.dry);
    // Nothing had work last time: every queue is asked for an even share.
    if (busy.length === 0) return this.split(open, free);
    const probes = open.filter((q) => this.watch.get(q.name)?.dry).map((q) => ({ queue: q.name, limit: 1 }));
    return [...this.split(busy, free), ...probes];
  }

  /** `slots` split evenly over `queues`, at least `least` each; who gets the remainder turns each round. */
  private split(queues: readonly QueueSettings[], slots: number, least = 1): QueueShare[] {
    if (queues.length === 0) return [];
    const base = Math.floor(slots / queues.length);
    const extra = slots % queues.length;
    return queues.map((q, i) => ({
      queue: q.name,
      limit: Math.max(least, base + ((i + this.turn) % queues.length < extra ? 1 : 0)),
    }));
  }

  /** What an unlimited queue's claim gave: fewer than asked means it ran dry. */
  claimed(share: QueueShare, got: number): void {
    if (got < share.limit) this.watch.set(share.queue, { dry: true, blockedUntil: 0 });
    else this.watch.delete(share.queue);
  }

  /** What a limited queue's claim gave: held back until a slot frees, or until its rate window has room. */
  claimedLimited(share: QueueShare, claim: LimitedClaim): void {
    if (claim.limitedBy === 'rate' && claim.retryAt) {
      this.watch.set(share.queue, { dry: false, blockedUntil: claim.retryAt.getTime() });
    } else if (claim.limitedBy) {
      this.watch.set(share.queue, { dry: false, blockedUntil: Infinity });
    } else if (claim.jobs.length < share.limit) {
      // Nothing more due: asked again at the next sweep, or when a job of it is created here.
      this.watch.set(share.queue, { dry: true, blockedUntil: Infinity });
    } else {
      this.watch.delete(share.queue);
    }
  }

  /** The earliest instant a rate-limited queue has room again, if one waits for it. */
  nextUnblock(): number | null {
    let next = Infinity;
    for (const w of this.watch.values()) if (w.blockedUntil !== Infinity && w.blockedUntil > 0) next = Math.min(next, w.blockedUntil);
    return next === Infinity ? null : next;
  }
}
