import { describe, expect, it } from 'vitest';
import { serverForSuite, testDatabases } from './support/server.js';
import type { Em } from '../src/db/orm.js';
import { dialectOf, query, run, toDbTime } from '../src/db/sql.js';
import type { Job } from '../src/jobs/job.entity.js';
import { JobStatus, Priority } from '../src/jobs/job.enums.js';
import { recordDeliveries } from '../src/webhooks/outbox.js';

// Only the fields the outbox reads: a partial job is enough here.
const ended = (id: number): Job =>
  Object.assign({} as Job, {
    id,
    taskName: 'noop',
    priority: Priority.HIGH,
    status: JobStatus.COMPLETED,
    payload: { n: id, text: `it's "quoted" \\ and ünïcode` },
    attempts: 1,
    completedAt: new Date('2026-12-01T10:00:00.123Z'),
    runDurationMs: 7,
  });

/** The outbox rows a finish batch writes, as the delivery loop will read them. */
describe.each(testDatabases())('recordDeliveries on $name', (db) => {
  const server = serverForSuite(db, { ROLE: 'api' });
  const em = () => server().orm.em.fork() as Em;

  it('writes one PENDING row per job, more than one statement holds, with the exact body and the next attempt number', async () => {
    await run(em(), 'delete from webhook_deliveries');
    // Job 1 was delivered before (a rerun): its next message continues its attempt numbers.
    await run(
      em(),
      `insert into webhook_deliveries (job_id, message_id, url, trusted, body, status, attempts, first_attempt, next_attempt_at, created_at, updated_at)
       values (1, 'msg_old', 'http://old', 0, '{}', 'DELIVERED', 2, 1, ?, ?, ?)`,
      Array(3).fill(toDbTime(dialectOf(em()), new Date('2026-12-01T09:00:00Z'))),
    );
    const items = Array.from({ length: 1_001 }, (_, i) => ({
      job: ended(i + 1),
      target: { url: 'http://127.0.0.1:9/hook', trusted: i % 2 === 0 },
    }));
    await recordDeliveries(em(), items);

    const rows = await query<{ job_id: number; message_id: string; body: string; trusted: unknown; first_attempt: number }>(
      em(),
      "select job_id, message_id, body, trusted, first_attempt from webhook_deliveries where status = 'PENDING' order by job_id",
    );
    expect(rows).toHaveLength(1_001);
    expect(new Set(rows.map((r) => r.message_id)).size).toBe(1_001);
    for (const r of rows) expect(r.message_id).toMatch(/^msg_[0-9a-f]{32}$/);
    expect(rows.map((r) => Number(r.first_attempt)).slice(0, 2)).toEqual([3, 1]);
    expect(rows.map((r) => Number(r.trusted)).slice(0, 2)).toEqual([1, 0]);
    const last = rows[1_000];
    expect(Number(last.job_id)).toBe(1_001);
    expect(JSON.parse(last.body)).toEqual({
      type: 'job.completed',
      jobId: 1_001,
      taskName: 'noop',
      priority: 'HIGH',
      status: 'COMPLETED',
      payload: { n: 1_001, text: `it's "quoted" \\ and ünïcode` },
      completedAt: '2026-12-01T10:00:00.123Z',
      runDurationMs: 7,
      attempts: 1,
    });
  });
});
