import type { Em, Orm } from '../../db/orm.js';
import { dialectOf, run, toDbTime } from '../../db/sql.js';
import { withLockRetry } from '../../db/lock-retry.js';
import { WebhookLog } from '../webhook-log.entity.js';
import type { AttemptOutcome } from '../send-attempt.js';
import type { NextStep } from '../retry-policy.js';
import type { ClaimedDelivery } from './claim-deliveries.js';

/** One finished attempt, ready to be written. */
export interface AttemptRecord {
  delivery: ClaimedDelivery;
  outcome: AttemptOutcome;
  next: NextStep;
  at: Date;
}

/**
 * Writes finished attempts in one transaction: each delivery's next state, and one WebhookLog row per
 * attempt — only for deliveries this sender still holds the lease on (else another sender owns the
 * delivery and nothing is written for it). Returns, per record, its log row or null.
 * One commit for many attempts is what lets a busy sender keep up: a commit is an fsync.
 */
export async function recordAttempts(orm: Orm, records: readonly AttemptRecord[]): Promise<(WebhookLog | null)[]> {
  // Primary-key order: two senders' batches lock rows in the same order and cannot deadlock on them.
  const order = records.map((_, i) => i).sort((a, b) => records[a].delivery.id - records[b].delivery.id);
  return withLockRetry(() =>
    orm.em.fork().transactional(async (tx) => {
      const t = (d: Date) => toDbTime(dialectOf(tx as Em), d);
      const held: number[] = [];
      for (const i of order) {
        const { delivery, next, at } = records[i];
        const changed = await run(
          tx as Em,
          `update webhook_deliveries set attempts = attempts + 1, status = ?, next_attempt_at = ?, lease_owner = null, lease_expires_at = null, updated_at = ?
            where id = ? and lease_owner = ? and status = 'SENDING'`,
          [next.status, t(next.nextAttemptAt), t(at), delivery.id, delivery.leaseToken],
        );
        if (changed > 0) held.push(i);
      }
      const logs: (WebhookLog | null)[] = records.map(() => null);
      if (held.length === 0) return logs;
      const rows = held.map((i) => logRow(records[i]));
      const ids = await tx.insertMany(WebhookLog, rows);
      held.forEach((i, k) => (logs[i] = Object.assign(new WebhookLog(), rows[k], { id: Number(ids[k]) })));
      return logs;
    }),
  );
}

function logRow({ delivery, outcome, at }: AttemptRecord) {
  return {
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
