import { describe, expect, it } from 'vitest';
import { serverForSuite, testDatabases } from './support/server.js';
import type { Em } from '../src/db/orm.js';
import { dialectOf, fromDbTime, query, run, toDbTime } from '../src/db/sql.js';
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

  it('with a lease: the first rows are written SENDING under it and returned as claimed, the rest PENDING', async () => {
    await run(em(), 'delete from webhook_deliveries');
    const until = new Date('2026-12-01T10:05:00.250Z');
    const items = Array.from({ length: 5 }, (_, i) => ({
      job: ended(100 + i),
      target: { url: `http://127.0.0.1:9/hook/${i}`, trusted: i === 0, endpointId: i === 1 ? 7 : null },
    }));
    const claimed = await recordDeliveries(em(), items, { token: 'sender-1#4', until, count: 3 });

    const rows = await query<Record<string, unknown>>(
      em(),
      'select id, job_id, message_id, body, url, trusted, endpoint_id, status, attempts, first_attempt, lease_owner, lease_expires_at from webhook_deliveries order by job_id',
    );
    expect(rows.map((r) => [Number(r.job_id), r.status, r.lease_owner ?? null])).toEqual([
      [100, 'SENDING', 'sender-1#4'],
      [101, 'SENDING', 'sender-1#4'],
      [102, 'SENDING', 'sender-1#4'],
      [103, 'PENDING', null],
      [104, 'PENDING', null],
    ]);
    for (const r of rows.slice(0, 3)) expect(fromDbTime(r.lease_expires_at)?.toISOString()).toBe(until.toISOString());
    // What the sender gets is what a claim of those rows would have read.
    expect(claimed).toEqual(
      rows.slice(0, 3).map((r) => ({
        id: Number(r.id),
        jobId: Number(r.job_id),
        messageId: r.message_id,
        body: String(r.body),
        url: r.url,
        trusted: Number(r.trusted) === 1,
        endpointId: r.endpoint_id === null ? null : Number(r.endpoint_id),
        attempts: 0,
        firstAttempt: 1,
        leaseToken: 'sender-1#4',
      })),
    );
    expect(JSON.parse(claimed[2].body)).toMatchObject({ type: 'job.completed', jobId: 102 });
  });
});
