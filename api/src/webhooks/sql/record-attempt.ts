import type { Em } from '../../db/orm.js';
import { run, toDbTime, dialectOf } from '../../db/sql.js';
import { WebhookLog } from '../webhook-log.entity.js';
import type { AttemptOutcome } from '../send-attempt.js';
import type { NextStep } from '../retry-policy.js';
import type { ClaimedDelivery } from './claim-deliveries.js';

/**
 * Writes one attempt: its WebhookLog row and the delivery's next state, in one transaction, and only
 * while this sender still holds the lease (else another sender owns the delivery and nothing is written).
 * Returns the log row, or null when the lease was lost.
 */
export async function recordAttempt(em: Em, delivery: ClaimedDelivery, outcome: AttemptOutcome, next: NextStep, at = new Date()): Promise<WebhookLog | null> {
  return em.transactional(async (tx) => {
    const t = (d: Date) => toDbTime(dialectOf(tx), d);
    const changed = await run(
      tx,
      `update webhook_deliveries set attempts = attempts + 1, status = ?, next_attempt_at = ?, lease_owner = null, lease_expires_at = null, updated_at = ?
        where id = ? and lease_owner = ? and status = 'SENDING'`,
      [next.status, t(next.nextAttemptAt), t(at), delivery.id, delivery.leaseToken],
    );
    if (changed === 0) return null;
    const data = {
      jobId: delivery.jobId,
      url: delivery.url,
      requestBody: JSON.parse(delivery.body) as unknown,
      responseStatus: outcome.status,
      responseBody: outcome.responseBody,
      attempt: delivery.firstAttempt + delivery.attempts,
      error: outcome.error,
      durationMs: outcome.durationMs,
      createdAt: at,
    };
    const id = await tx.insert(WebhookLog, data);
    return Object.assign(new WebhookLog(), data, { id: Number(id) });
  });
}

/** Gives a claimed delivery back untouched (shutdown cut its attempt short): due again at once. */
export async function releaseDelivery(em: Em, delivery: ClaimedDelivery, at = new Date()): Promise<void> {
  const t = (d: Date) => toDbTime(dialectOf(em), d);
  await run(
    em,
    `update webhook_deliveries set status = 'PENDING', next_attempt_at = ?, lease_owner = null, lease_expires_at = null, updated_at = ?
      where id = ? and lease_owner = ? and status = 'SENDING'`,
    [t(at), t(at), delivery.id, delivery.leaseToken],
  );
}
