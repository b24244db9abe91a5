import type { Em } from '../../db/orm.js';
import { fromDbTime, placeholders, query, run, toDbTime, type SqlDialect } from '../../db/sql.js';
import { DeliveryStatus } from '../webhook-delivery.entity.js';
import type { AttemptRecord } from './record-attempt.js';

/** An endpoint this write disabled: its streak crossed both of its thresholds. */
export interface DisabledEndpoint {
  endpointId: number;
  consecutiveFailures: number;
  disableAfterFailures: number;
  reason: string;
  at: Date;
}

/** What one batch does to one endpoint's streak, its records taken in the order they finished. */
interface StreakChange {
  /** A message was delivered: the streak starts again from the failures after it. */
  reset: boolean;
  failures: number;
  /** When the first failure counted here ended. */
  firstFailureAt: Date | null;
  lastAt: Date;
}

function changesOf(records: readonly AttemptRecord[], held: readonly number[]): Map<number, StreakChange> {
  const changes = new Map<number, StreakChange>();
  for (const i of [...held].sort((a, b) => records[a].at.getTime() - records[b].at.getTime())) {
    const { delivery, next, at } = records[i];
    if (delivery.endpointId === null || next.status === DeliveryStatus.PENDING) continue;
    const change = changes.get(delivery.endpointId) ?? { reset: false, failures: 0, firstFailureAt: null, lastAt: at };
    change.lastAt = at;
    if (next.status === DeliveryStatus.DELIVERED) Object.assign(change, { reset: true, failures: 0, firstFailureAt: null });
    else {
      change.failures++;
      change.firstFailureAt ??= at;
    }
    changes.set(delivery.endpointId, change);
  }
  return changes;
}

/**
 * Keeps each registered endpoint's failure streak where its messages become final (in the transaction
 * that records their last attempt): a delivered message ends the streak, a failed one (retries used up)
 * adds to it. An enabled endpoint whose streak reaches `disable_after_failures` failed messages spanning
 * at least `disable_after_ms` is disabled here. Endpoints are updated in id order, after the
 * deliveries, so concurrent senders lock in one order.
 */
export async function updateStreaks(
  tx: Em,
  dialect: SqlDialect,
  records: readonly AttemptRecord[],
  held: readonly number[],
): Promise<DisabledEndpoint[]> {
  const changes = changesOf(records, held);
  if (changes.size === 0) return [];
  const t = (d: Date) => toDbTime(dialect, d);
  const ids = [...changes.keys()].sort((a, b) => a - b);
  const onlyDelivered = ids.filter((id) => changes.get(id)!.failures === 0);
  if (onlyDelivered.length > 0) {
    await run(
      tx,
      `update webhook_endpoints set consecutive_failures = 0, failing_since = null
        where id in (${placeholders(onlyDelivered.length)}) and consecutive_failures <> 0`,
      onlyDelivered,
    );
  }
  const failing = ids.filter((id) => changes.get(id)!.failures > 0);
  for (const id of failing) {
    const { reset, failures, firstFailureAt } = changes.get(id)!;
    await run(
      tx,
      reset
        ? `update webhook_endpoints set consecutive_failures = ?, failing_since = ? where id = ?`
        : `update webhook_endpoints set consecutive_failures = consecutive_failures + ?, failing_since = coalesce(failing_since, ?) where id = ?`,
      [failures, t(firstFailureAt!), id],
    );
  }
  if (failing.length === 0) return [];
  const rows = await query<Record<string, unknown>>(
    tx,
    `select id, consecutive_failures, failing_since, disable_after_failures, disable_after_ms from webhook_endpoints
      where id in (${placeholders(failing.length)}) and enabled = 1`,
    failing,
  );
  const disabled: DisabledEndpoint[] = [];
  for (const row of rows) {
    const id = Number(row.id);
    const streak = Number(row.consecutive_failures);
    const threshold = Number(row.disable_after_failures);
    const since = fromDbTime(row.failing_since);
    const at = changes.get(id)!.lastAt;
    if (!since || streak < threshold || at.getTime() - since.getTime() < Number(row.disable_after_ms)) continue;
    const reason = `${streak} consecutive failed messages since ${since.toISOString()}`;
    const changed = await run(
      tx,
      `update webhook_endpoints set enabled = 0, disabled_reason = ?, disabled_at = ? where id = ? and enabled = 1`,
      [reason, t(at), id],
    );
    if (changed > 0) disabled.push({ endpointId: id, consecutiveFailures: streak, disableAfterFailures: threshold, reason, at });
  }
  return disabled;
}
