import type { Em, Orm } from '../../db/orm.js';
import { dialectOf, insertReturningIds, placeholders, query, run, toDbTime, type BoundValue, type SqlDialect } from '../../db/sql.js';
import { withLockRetry } from '../../db/lock-retry.js';
import type { WebhookLog } from '../webhook-log.entity.js';
import type { AttemptOutcome } from '../send-attempt.js';
import type { NextStep } from '../retry-policy.js';
import type { ClaimedDelivery } from './claim-deliveries.js';
import { updateStreaks, type DisabledEndpoint } from './endpoint-streak.js';

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
 * delivery and nothing is written for it), and the failure streaks of the endpoints whose messages
 * became final. Returns, per record, its log row or null; `onDisabled` hears of endpoints this write
 * disabled, after the commit.
 * One commit for many attempts is what lets a busy sender keep up: a commit is an fsync.
 */
export async function recordAttempts(
  orm: Orm,
  records: readonly AttemptRecord[],
  onDisabled?: (endpoints: DisabledEndpoint[]) => void,
): Promise<(WebhookLog | null)[]> {
  // Primary-key order: two senders' batches lock rows in the same order and cannot deadlock on them.
  const order = records.map((_, i) => i).sort((a, b) => records[a].delivery.id - records[b].delivery.id);
  const dialect = dialectOf(orm.em);
  const held = await withLockRetry(() =>
    dialect === 'mysql' && order.length > 1 ? recordBatchMysql(orm, records, order) : recordEach(orm, dialect, records, order),
  );
  const logs: (WebhookLog | null)[] = records.map(() => null);
  for (const [i, log] of held.written) logs[i] = log;
  if (held.disabled.length > 0) onDisabled?.(held.disabled);
  return logs;
}

/** What a batch wrote: the record's index and its log row, and the endpoints it disabled. */
interface Written {
  written: [index: number, log: WebhookLog][];
  disabled: DisabledEndpoint[];
}

/**
 * MySQL/MariaDB: every delivery's next state in one `UPDATE … JOIN` over a derived table of the new
 * values (one statement instead of one round trip per attempt), then one multi-row INSERT of the logs.
 * The UPDATE's own WHERE skips deliveries whose lease is no longer this claim's; when it changed fewer
 * rows than the batch (a lease expired during the attempt, rare), it is rolled back and the batch is
 * written again after locking the deliveries, to learn which are still held.
 */
async function recordBatchMysql(orm: Orm, records: readonly AttemptRecord[], order: readonly number[]): Promise<Written> {
  const all = await orm.em
    .fork()
    .transactional(async (tx) => {
      if ((await updateBatchMysql(tx as Em, records, order)) < order.length) throw NOT_ALL_HELD;
      return finishWrite(tx as Em, 'mysql', records, order);
    })
    .catch((error: unknown) => {
      if (error === NOT_ALL_HELD) return null;
      throw error;
    });
  if (all) return all;
  return orm.em.fork().transactional(async (tx) => {
    const ids = order.map((i) => records[i].delivery.id);
    const rows = await query<{ id: number; lease_owner: string | null }>(
      tx as Em,
      `select id, lease_owner from webhook_deliveries where id in (${placeholders(ids.length)}) and status = 'SENDING' order by id for update`,
      ids,
    );
    const owners = new Map(rows.map((r) => [Number(r.id), r.lease_owner]));
    const mine = order.filter((i) => owners.get(records[i].delivery.id) === records[i].delivery.leaseToken);
    if (mine.length === 0) return NOTHING;
    await updateBatchMysql(tx as Em, records, mine);
    return finishWrite(tx as Em, 'mysql', records, mine);
  });
}

/** Thrown inside the optimistic transaction to roll it back; never leaves this module. */
const NOT_ALL_HELD = new Error('a delivery of the batch is no longer held by this claim');

/** Returns how many deliveries it changed: those of the batch whose lease is still the claim's. */
async function updateBatchMysql(tx: Em, records: readonly AttemptRecord[], order: readonly number[]): Promise<number> {
  const t = (d: Date) => toDbTime('mysql', d);
  const first = 'select ? as id, ? as lease_owner, ? as status, ? as next_attempt_at, ? as updated_at';
  const values = order.map((_, k) => (k === 0 ? first : 'select ?, ?, ?, ?, ?')).join(' union all ');
  const params: BoundValue[] = [];
  for (const i of order) {
    const { delivery, next, at } = records[i];
    params.push(delivery.id, delivery.leaseToken, next.status, t(next.nextAttemptAt), t(at));
  }
  return run(
    tx,
    `update webhook_deliveries d join (${values}) v on d.id = v.id and d.lease_owner = v.lease_owner
        set d.attempts = d.attempts + 1, d.status = v.status, d.next_attempt_at = v.next_attempt_at,
            d.lease_owner = null, d.lease_expires_at = null, d.updated_at = v.updated_at
      where d.status = 'SENDING'`,
    params,
  );
}

/** SQLite (one writer, statements in process) and single attempts: one UPDATE per delivery. */
async function recordEach(orm: Orm, dialect: SqlDialect, records: readonly AttemptRecord[], order: readonly number[]): Promise<Written> {
  return orm.em.fork().transactional(async (tx) => {
    const t = (d: Date) => toDbTime(dialect, d);
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
    return held.length === 0 ? NOTHING : finishWrite(tx as Em, dialect, records, held);
  });
}

const NOTHING: Written = { written: [], disabled: [] };

/** The held attempts' logs, then their endpoints' streaks (endpoint rows locked after the deliveries). */
async function finishWrite(tx: Em, dialect: SqlDialect, records: readonly AttemptRecord[], held: readonly number[]): Promise<Written> {
  const written = await insertLogs(tx, dialect, records, held);
  return { written, disabled: await updateStreaks(tx, dialect, records, held) };
}

const LOG_COLUMNS = 'job_id, delivery_id, url, request_body, response_status, response_body, attempt, error, duration_ms, created_at';
const LOG_ROW = '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';
/** 10 parameters a row: far below SQLite's 32,766 and MySQL's 65,535 (a batch holds at most MAX_RECORD_BATCH). */
const LOG_ROWS_PER_STATEMENT = 1000;

/**
 * The attempts' WebhookLog rows in one hand-written, driver-bound multi-row INSERT (the ORM's
 * `insertMany` builds an entity per row and formats every value into the SQL text). The stored body is
 * JSON text already: it goes in as it is. Ids as `insertReturningIds` learns them.
 */
async function insertLogs(
  tx: Em,
  dialect: SqlDialect,
  records: readonly AttemptRecord[],
  order: readonly number[],
): Promise<Written['written']> {
  const written: Written['written'] = [];
  for (let start = 0; start < order.length; start += LOG_ROWS_PER_STATEMENT) {
    const chunk = order.slice(start, start + LOG_ROWS_PER_STATEMENT);
    const params: BoundValue[] = [];
    const logs = chunk.map((i) => logOf(records[i]));
    for (const [k, i] of chunk.entries()) {
      const log = logs[k];
      params.push(
        log.jobId,
        records[i].delivery.id,
        log.url,
        records[i].delivery.body,
        log.responseStatus ?? null,
        log.responseBody ?? null,
        log.attempt,
        log.error ?? null,
        log.durationMs ?? null,
        toDbTime(dialect, log.createdAt),
      );
    }
    const sql = `insert into webhook_logs (${LOG_COLUMNS}) values ${chunk.map(() => LOG_ROW).join(', ')}`;
    const ids = await insertReturningIds(tx, sql, params, chunk.length);
    logs.forEach((log, k) => (log.id = ids[k]));
    chunk.forEach((i, k) => written.push([i, logs[k]]));
  }
  return written;
}

/**
 * The log row as published: a plain object with WebhookLog's fields (an ORM entity instance installs
 * accessors on first assignment, docs/decisions.md), its request body parsed as GraphQL serves it.
 */
function logOf({ delivery, outcome, at }: AttemptRecord): WebhookLog {
  return {
    id: 0,
    jobId: delivery.jobId,
    deliveryId: delivery.id,
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
export async function releaseDelivery(em: Em, delivery: ClaimedDelivery, at = new Date(), dueAt = at): Promise<void> {
  const t = (d: Date) => toDbTime(dialectOf(em), d);
  await run(
    em,
    `update webhook_deliveries set status = 'PENDING', next_attempt_at = ?, lease_owner = null, lease_expires_at = null, updated_at = ?
      where id = ? and lease_owner = ? and status = 'SENDING'`,
    [t(dueAt), t(at), delivery.id, delivery.leaseToken],
  );
}
