import { Kysely } from 'kysely';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Em } from '../src/db/orm.js';
import { dialectOf, query, run } from '../src/db/sql.js';
import { DeliveryStatus } from '../src/webhooks/webhook-delivery.entity.js';
import { claimDeliveries } from '../src/webhooks/sql/claim-deliveries.js';
import { recordAttempts, type AttemptRecord } from '../src/webhooks/sql/record-attempt.js';
import { serverForSuite, testDatabases } from './support/server.js';
import { finishJobWithDelivery } from './support/webhooks.js';

const BATCH = 30;

/** Every hand-written statement (they all go through Kysely's `executeQuery`), by its first words. */
function countStatements(): { count: (prefix: string) => number } {
  const seen: string[] = [];
  const original = Kysely.prototype.executeQuery;
  vi.spyOn(Kysely.prototype, 'executeQuery').mockImplementation(function (this: Kysely<unknown>, compiled, ...rest) {
    const sql = (compiled as { sql?: string }).sql;
    if (typeof sql === 'string') seen.push(sql.trim().replace(/\s+/g, ' ').toLowerCase());
    return original.call(this, compiled as never, ...(rest as []));
  } as typeof original);
  return { count: (prefix) => seen.filter((s) => s.startsWith(prefix)).length };
}

describe.each(testDatabases())('attempts recorded in batches on $name', (db) => {
  // ROLE=api runs no delivery loop: the test claims and records by hand.
  const server = serverForSuite(db, { ROLE: 'api' });
  const em = () => server().orm.em.fork() as Em;
  afterEach(() => vi.restoreAllMocks());

  async function claimBatch() {
    await run(em(), 'delete from webhook_deliveries');
    await run(em(), 'delete from webhook_logs');
    for (let i = 0; i < BATCH; i++) await finishJobWithDelivery(server().orm.em as Em, { url: 'http://127.0.0.1:9/hook', trusted: true });
    const claimed = await claimDeliveries(em(), `test-${Math.random()}`, BATCH, 60_000);
    expect(claimed).toHaveLength(BATCH);
    const at = new Date();
    // Out of primary-key order, alternating outcomes: results must come back in the records' order.
    return claimed.reverse().map((delivery, i): AttemptRecord => ({
      delivery,
      at,
      outcome: i % 2 === 0 ? ok : failed,
      next:
        i % 2 === 0
          ? { status: DeliveryStatus.DELIVERED, nextAttemptAt: at }
          : { status: DeliveryStatus.PENDING, nextAttemptAt: new Date(at.getTime() + 1000) },
    }));
  }

  const ok = { ok: true, status: 200, responseBody: '{"ok":true}', error: null, durationMs: 3, retryAfter: null };
  const failed = { ok: false, status: 503, responseBody: 'busy ✓', error: 'HTTP 503', durationMs: 9, retryAfter: '2' };

  it('writes every delivery of a batch and its log row; the logs returned are the rows written, in the records order', async () => {
    const records = await claimBatch();
    const statements = countStatements();
    const logs = await recordAttempts(server().orm, records);
    // MySQL/MariaDB: one UPDATE for the batch's deliveries (round trips dominate); SQLite runs in process, one per delivery.
    expect(statements.count('update webhook_deliveries')).toBe(dialectOf(em()) === 'mysql' ? 1 : BATCH);
    expect(statements.count('insert into webhook_logs')).toBe(1);

    expect(logs.every((l) => l !== null)).toBe(true);
    const rows = await query<{
      id: number;
      job_id: number;
      attempt: number;
      response_status: number;
      response_body: string;
      error: string | null;
    }>(em(), 'select id, job_id, attempt, response_status, response_body, error from webhook_logs order by id');
    expect(rows).toHaveLength(BATCH);
    const byId = new Map(rows.map((r) => [Number(r.id), r]));
    records.forEach((record, i) => {
      const log = logs[i]!;
      expect(log.jobId).toBe(record.delivery.jobId);
      expect(log.attempt).toBe(1);
      expect(log.requestBody).toEqual(JSON.parse(record.delivery.body));
      // The id published is the id of the row with this job's attempt.
      const row = byId.get(log.id)!;
      expect(Number(row.job_id)).toBe(record.delivery.jobId);
      expect([Number(row.response_status), row.response_body, row.error]).toEqual([
        record.outcome.status,
        record.outcome.responseBody,
        record.outcome.error,
      ]);
    });

    const deliveries = await query<{ id: number; status: string; attempts: number; lease_owner: string | null }>(
      em(),
      'select id, status, attempts, lease_owner from webhook_deliveries',
    );
    const next = new Map(records.map((r) => [r.delivery.id, r.next.status]));
    for (const d of deliveries) expect([d.status, Number(d.attempts), d.lease_owner]).toEqual([next.get(Number(d.id)), 1, null]);

    // Through the API the log reads back as written, request body included.
    const [first] = records;
    const res = await server().gql('query($id: ID!) { job(id: $id) { webhookLogs { id attempt responseStatus requestBody } } }', {
      id: String(first.delivery.jobId),
    });
    expect(res.data.job.webhookLogs).toEqual([
      { id: String(logs[0]!.id), attempt: 1, responseStatus: 200, requestBody: JSON.parse(first.delivery.body) },
    ]);
  });

  it('a delivery whose lease another claim took meanwhile is left alone; the rest of the batch is written', async () => {
    const records = await claimBatch();
    const lost = records[7].delivery;
    // Its lease expired during the attempt and another sender claimed it.
    await run(em(), "update webhook_deliveries set lease_owner = 'another-sender#1' where id = ?", [lost.id]);

    const logs = await recordAttempts(server().orm, records);
    expect(logs.map((l, i) => (l === null ? i : -1)).filter((i) => i >= 0)).toEqual([7]);
    const [row] = await query<{ status: string; attempts: number; lease_owner: string }>(
      em(),
      'select status, attempts, lease_owner from webhook_deliveries where id = ?',
      [lost.id],
    );
    expect([row.status, Number(row.attempts), row.lease_owner]).toEqual(['SENDING', 0, 'another-sender#1']);
    const written = await query<{ id: number; job_id: number }>(em(), 'select id, job_id from webhook_logs order by id');
    expect(written).toHaveLength(BATCH - 1);
    expect(written.map((w) => Number(w.job_id))).not.toContain(lost.jobId);
    const ids = new Map(written.map((w) => [Number(w.id), Number(w.job_id)]));
    logs.forEach((log, i) => log && expect(ids.get(log.id)).toBe(records[i].delivery.jobId));
  });
});
