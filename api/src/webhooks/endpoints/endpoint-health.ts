import type { Em } from '../../db/orm.js';
import { fromDbTime, query } from '../../db/sql.js';
import { DeliveryStatus } from '../webhook-delivery.entity.js';
import type { WebhookEndpointHealth, WebhookEndpointHealthPoint } from './endpoint.types.js';

/** Health looks at this many of the endpoint's newest messages: a bounded read of its delivery index. */
export const HEALTH_MESSAGES = 1000;
const HOUR = 60 * 60 * 1000;
/** The sparkline's length: one point per hour. */
export const SERIES_HOURS = 24;

/** One attempt of one of the messages looked at (a message without attempts comes once, with nulls). */
export interface AttemptRow {
  deliveryId: number;
  status: string;
  deliveryError: string | null;
  endedAt: Date;
  logId: number | null;
  durationMs: number | null;
  responseStatus: number | null;
  error: string | null;
}

/**
 * The endpoint's newest HEALTH_MESSAGES deliveries (its (endpoint_id, id) index, read backwards) with
 * their attempts (the delivery_id index): one query, at most a few thousand rows.
 */
export async function attemptsOf(em: Em, endpointId: number): Promise<AttemptRow[]> {
  const rows = await query(
    em,
    `select d.id, d.status, d.last_error, d.updated_at, l.id as log_id, l.duration_ms, l.response_status, l.error
       from (select id, status, last_error, updated_at from webhook_deliveries where endpoint_id = ? order by id desc limit ${HEALTH_MESSAGES}) d
       left join webhook_logs l on l.delivery_id = d.id`,
    [endpointId],
  );
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return rows.map((r) => ({
    deliveryId: Number(r.id),
    status: String(r.status),
    deliveryError: r.last_error === null || r.last_error === undefined ? null : String(r.last_error),
    endedAt: fromDbTime(r.updated_at)!,
    logId: num(r.log_id),
    durationMs: num(r.duration_ms),
    responseStatus: num(r.response_status),
    error: r.error === null || r.error === undefined ? null : String(r.error),
  }));
}

/** The value below which `share` of the sorted values lie (nearest rank). */
function percentile(sorted: readonly number[], share: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(share * sorted.length) - 1))];
}

const failedAttempt = (row: AttemptRow) => row.logId !== null && (row.error !== null || (row.responseStatus ?? 0) >= 300);
const errorOf = (row: AttemptRow) => row.error ?? `HTTP ${row.responseStatus}`;

/** Health figures from the stored attempts, and the streak kept on the endpoint's row. */
export function healthOf(rows: readonly AttemptRow[], consecutiveFailures: number): WebhookEndpointHealth {
  const statusOf = new Map<number, AttemptRow>();
  for (const row of rows) statusOf.set(row.deliveryId, row);
  let delivered = 0;
  let failed = 0;
  for (const row of statusOf.values()) {
    if (row.status === DeliveryStatus.DELIVERED) delivered++;
    else if (row.status === DeliveryStatus.FAILED) failed++;
  }
  const durations = rows
    .filter((r) => r.logId !== null && r.durationMs !== null)
    .map((r) => r.durationMs!)
    .sort((a, b) => a - b);
  // The newest failure: an attempt's (by log id) or a message failed unsent (by delivery id, no attempts).
  const newestAttempt = rows.filter(failedAttempt).sort((a, b) => b.logId! - a.logId!)[0];
  const newestUnsent = [...statusOf.values()]
    .filter((r) => r.logId === null && r.deliveryError !== null)
    .sort((a, b) => b.deliveryId - a.deliveryId)[0];
  const lastError =
    newestUnsent && (!newestAttempt || newestUnsent.deliveryId > newestAttempt.deliveryId)
      ? newestUnsent.deliveryError
      : newestAttempt
        ? errorOf(newestAttempt)
        : null;
  return {
    successRate: delivered + failed > 0 ? delivered / (delivered + failed) : null,
    latencyP50Ms: percentile(durations, 0.5),
    latencyP95Ms: percentile(durations, 0.95),
    lastError,
    consecutiveFailures,
    deliveredCount: delivered,
    failedCount: failed,
  };
}

/** Delivered and failed messages per hour over the last SERIES_HOURS hours, oldest first. */
export function seriesOf(rows: readonly AttemptRow[], now = new Date()): WebhookEndpointHealthPoint[] {
  const end = Math.floor(now.getTime() / HOUR) * HOUR;
  const first = end - (SERIES_HOURS - 1) * HOUR;
  const points = Array.from({ length: SERIES_HOURS }, (_, i) => ({ hour: new Date(first + i * HOUR), delivered: 0, failed: 0 }));
  const seen = new Set<number>();
  for (const row of rows) {
    if (seen.has(row.deliveryId)) continue;
    seen.add(row.deliveryId);
    const slot = Math.floor((row.endedAt.getTime() - first) / HOUR);
    if (slot < 0 || slot >= SERIES_HOURS) continue;
    if (row.status === DeliveryStatus.DELIVERED) points[slot].delivered++;
    else if (row.status === DeliveryStatus.FAILED) points[slot].failed++;
  }
  return points;
}
