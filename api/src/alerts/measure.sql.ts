import type { Em } from '../db/orm.js';
import { dialectOf, fromDbTime, query, toDbTime, type BoundValue } from '../db/sql.js';
import { WorkerRow } from '../workers/worker.entity.js';
import { AlertKind } from './alert.types.js';
import type { AlertRule } from './alert.entity.js';

/** A rule's measurement now; `holds` when it is at or past its threshold (with enough ends for failure rates). */
export interface Measurement {
  value: number;
  holds: boolean;
}

function scope(rule: AlertRule, params: BoundValue[]): string {
  let sql = '';
  if (rule.queue) {
    sql += ' and queue = ?';
    params.push(rule.queue);
  }
  if (rule.taskName) {
    sql += ' and task_name = ?';
    params.push(rule.taskName);
  }
  return sql;
}

export async function measure(em: Em, rule: AlertRule, now = new Date()): Promise<Measurement> {
  const dialect = dialectOf(em);
  const kind = rule.kind as AlertKind;
  if (kind === AlertKind.FAILURE_RATE) {
    const params: BoundValue[] = [toDbTime(dialect, new Date(now.getTime() - rule.windowMs))];
    const [row] = await query<{ failed: unknown; ends: unknown }>(
      em,
      `select coalesce(sum(case when status = 'FAILED' then 1 else 0 end), 0) as failed, count(*) as ends
       from jobs where status in ('COMPLETED', 'FAILED') and completed_at >= ?${scope(rule, params)}`,
      params,
    );
    const ends = Number(row?.ends ?? 0);
    const value = ends === 0 ? 0 : Number(row?.failed ?? 0) / ends;
    return { value, holds: ends >= rule.minCount && value >= rule.threshold };
  }
  const params: BoundValue[] = [toDbTime(dialect, now)];
  const [row] = await query<{ due: unknown; oldest: unknown; pending: unknown }>(
    em,
    `select count(*) as pending, sum(case when run_at <= ? then 1 else 0 end) as due, min(run_at) as oldest
     from jobs where status = 'PENDING'${scope(rule, params)}`,
    params,
  );
  if (kind === AlertKind.QUEUE_DEPTH) {
    const value = Number(row?.pending ?? 0);
    return { value, holds: value >= rule.threshold };
  }
  if (kind === AlertKind.QUEUE_BACKLOG_AGE) {
    const oldest = fromDbTime(row?.oldest);
    const value = oldest ? Math.max(0, now.getTime() - oldest.getTime()) : 0;
    return { value, holds: value >= rule.threshold };
  }
  // NO_WORKERS: due work and no worker with a live heartbeat that claims from the queue.
  const due = Number(row?.due ?? 0);
  if (due < rule.threshold) return { value: due, holds: false };
  const workers = await em.find(WorkerRow, {});
  // A local worker without WORKER_QUEUES lists no queues: it claims from every queue.
  const claims = (w: WorkerRow) => !rule.queue || w.queues.length === 0 || w.queues.includes(rule.queue);
  const live = workers.some((w) => w.lastHeartbeatAt.getTime() + w.leaseMs > now.getTime() && claims(w));
  return { value: due, holds: !live };
}
