import type { Em } from '../../db/orm.js';
import { dialectOf, placeholders, query, run, toDbTime } from '../../db/sql.js';
import { withLockRetry } from '../../db/lock-retry.js';

/** A delivery this process now holds the lease on: it alone may make the next attempt. */
export interface ClaimedDelivery {
  id: number;
  jobId: number;
  messageId: string;
  url: string;
  trusted: boolean;
  /** A registered endpoint's delivery is signed with that endpoint's secret. */
  endpointId: number | null;
  body: string;
  /** Attempts already made for this delivery. */
  attempts: number;
  firstAttempt: number;
  leaseToken: string;
}

const READ_COLUMNS = 'id, job_id, message_id, url, trusted, endpoint_id, body, attempts, first_attempt';
const COLUMNS = `${READ_COLUMNS}, lease_owner`;

function toClaimed(row: Record<string, unknown>, token = String(row.lease_owner)): ClaimedDelivery {
  return {
    id: Number(row.id),
    jobId: Number(row.job_id),
    messageId: String(row.message_id),
    url: String(row.url),
    trusted: row.trusted === true || Number(row.trusted) === 1,
    endpointId: row.endpoint_id === null || row.endpoint_id === undefined ? null : Number(row.endpoint_id),
    body: Buffer.isBuffer(row.body) ? row.body.toString('utf8') : String(row.body),
    attempts: Number(row.attempts),
    firstAttempt: Number(row.first_attempt),
    leaseToken: token,
  };
}

/**
 * SQLite has one writer at a time, so one UPDATE over a due-ordered subquery is an atomic claim;
 * the lease token (unique per claim) then finds exactly the rows this claim took.
 */
async function claimSqlite(em: Em, token: string, limit: number, leaseUntil: Date, now: Date): Promise<ClaimedDelivery[]> {
  const t = (d: Date) => toDbTime('sqlite', d);
  await run(
    em,
    `update webhook_deliveries set status = 'SENDING', lease_owner = ?, lease_expires_at = ?, updated_at = ?
      where id in (select id from webhook_deliveries
                    where (status = 'PENDING' and next_attempt_at <= ?) or (status = 'SENDING' and lease_expires_at < ?)
                    order by next_attempt_at, id limit ?)`,
    [token, t(leaseUntil), t(now), t(now), t(now), limit],
  );
  return (await query(em, `select ${COLUMNS} from webhook_deliveries where lease_owner = ? and status = 'SENDING'`, [token])).map((row) =>
    toClaimed(row),
  );
}

/**
 * MySQL/MariaDB: a short transaction locks due rows with SKIP LOCKED (the (status, next_attempt_at)
 * index gives them in order without a sort), reading what an attempt needs on the way, and takes them,
 * so concurrent senders never pick the same row. Rows whose lease expired belong to a crashed sender
 * and are taken back the same way.
 * It relies on READ COMMITTED (every connection's level, see db/orm.ts): under REPEATABLE READ the range
 * scan also takes gap locks, and the outbox insert in a job's finish transaction then deadlocks against
 * claimers (seen on MariaDB with two loops).
 */
async function claimMysql(em: Em, token: string, limit: number, leaseUntil: Date, now: Date): Promise<ClaimedDelivery[]> {
  const t = (d: Date) => toDbTime('mysql', d);
  return em.transactional(async (tx) => {
    const rows = await query(
      tx,
      `select ${READ_COLUMNS} from webhook_deliveries where status = 'PENDING' and next_attempt_at <= ?
        order by next_attempt_at, id limit ? for update skip locked`,
      [t(now), limit],
    );
    if (rows.length < limit) {
      const expired = await query(
        tx,
        `select ${READ_COLUMNS} from webhook_deliveries where status = 'SENDING' and lease_expires_at < ? limit ? for update skip locked`,
        [t(now), limit - rows.length],
      );
      rows.push(...expired);
    }
    if (rows.length === 0) return [];
    const ids = rows.map((r) => Number(r.id));
    await run(
      tx,
      `update webhook_deliveries set status = 'SENDING', lease_owner = ?, lease_expires_at = ?, updated_at = ? where id in (${placeholders(ids.length)})`,
      [token, t(leaseUntil), t(now), ...ids],
    );
    return rows.map((row) => toClaimed(row, token));
  });
}

/** Takes up to `limit` due deliveries for `leaseMs`; a lost lock race (deadlock, busy) is simply tried again. */
export async function claimDeliveries(em: Em, token: string, limit: number, leaseMs: number, now = new Date()): Promise<ClaimedDelivery[]> {
  const leaseUntil = new Date(now.getTime() + leaseMs);
  return withLockRetry(() =>
    dialectOf(em) === 'sqlite' ? claimSqlite(em, token, limit, leaseUntil, now) : claimMysql(em, token, limit, leaseUntil, now),
  );
}
