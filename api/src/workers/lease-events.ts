import type { RecoveredLease } from '../engine/sql/leases.js';
import { Topic, type EventBus } from '../live/pubsub.js';
import { parseToken, tokenOf, workerOfOwner } from './lease-token.js';
import { LeaseState } from './worker.types.js';

/**
 * Leases taken back from remote workers that stopped renewing: each one's worker hears LOST on
 * `leaseEvents` at once (a worker that was only slow stops the handler instead of finishing in vain).
 * Local owners are skipped; their runner finds out by its own ownership check.
 */
export function publishLeasesLost(bus: EventBus, taken: readonly RecoveredLease[]): void {
  for (const { job, owner } of taken) {
    if (!owner) continue;
    const token = tokenOf(job.id, owner);
    if (!parseToken(token)) continue;
    bus.publish(Topic.LEASE_EVENT, { workerId: workerOfOwner(owner), token, status: LeaseState.LOST, expiresAt: null });
  }
}
