import { beforeAll, describe, expect, it } from 'vitest';
import type { Em } from '../src/db/orm.js';
import { query } from '../src/db/sql.js';
import { seedSignature } from '../src/webhooks/signatures.js';
import { mariadb, MYSQL_SKIP_REASON, serverForSuite, sqlite, type TestDatabase } from './support/server.js';
import { deliveriesOf, eventually, finishJobWithDelivery, receiverForSuite } from './support/webhooks.js';

const MESSAGES = 120;

if (MYSQL_SKIP_REASON) console.warn(`webhooks.concurrency on MariaDB: ${MYSQL_SKIP_REASON}`);
const databases: TestDatabase[] = MYSQL_SKIP_REASON ? [sqlite] : [sqlite, mariadb];

describe.each(databases)('two delivery loops on one $name database', (db) => {
  const perMessage = new Map<string, number>();
  const senders = new Map<string, number>();
  // Every message fails once, then succeeds: each must arrive exactly twice, whichever loop sends it.
  const receiver = receiverForSuite({
    '/hook': (_n, hit) => {
      const id = String(hit.headers['webhook-id']);
      perMessage.set(id, (perMessage.get(id) ?? 0) + 1);
      // Each server signs with its own secret, so the signature tells which one sent the attempt.
      const sender =
        hit.headers['x-signature'] === seedSignature('secret-a', hit.body)
          ? 'a'
          : hit.headers['x-signature'] === seedSignature('secret-b', hit.body)
            ? 'b'
            : '?';
      senders.set(sender, (senders.get(sender) ?? 0) + 1);
      return { status: perMessage.get(id) === 1 ? 500 : 200 };
    },
  });
  const env = { WEBHOOK_RETRY_BASE_MS: '200', WEBHOOK_CONCURRENCY: '8', WORKER_POLL_MS: '20' };
  const a = serverForSuite(db, { ...env, WEBHOOK_SECRET: 'secret-a' });
  // The second delivery loop, on a's database; only its sends are observed.
  serverForSuite(db, () => ({ ...env, DATABASE_URL: a().databaseUrl, WEBHOOK_SECRET: 'secret-b' }));
  beforeAll(async () => {
    for (let i = 0; i < MESSAGES; i++)
      await finishJobWithDelivery(a().orm.em as Em, { url: `${receiver().url}/hook`, trusted: true }, { taskName: `msg-${i}` });
  }, 120_000);

  it('sends every attempt exactly once', async () => {
    await eventually(
      async () => {
        const [row] = await query<{ n: number }>(
          a().orm.em.fork() as Em,
          "select count(*) as n from webhook_deliveries where status = 'DELIVERED'",
        );
        return Number(row.n) === MESSAGES;
      },
      90_000,
      `all ${MESSAGES} deliveries`,
    );
    await new Promise((r) => setTimeout(r, 500)); // anything sent twice would arrive now
    expect(perMessage.size).toBe(MESSAGES);
    expect([...perMessage.values()].every((n) => n === 2)).toBe(true);
    expect(receiver().hits).toHaveLength(2 * MESSAGES);
    expect(senders.get('?')).toBeUndefined();
    expect(senders.get('a')).toBeGreaterThan(0);
    expect(senders.get('b')).toBeGreaterThan(0);

    const logs = await query<{ job_id: number; attempt: number; response_status: number }>(
      a().orm.em.fork() as Em,
      'select job_id, attempt, response_status from webhook_logs order by job_id, attempt',
    );
    expect(logs).toHaveLength(2 * MESSAGES);
    const byJob = new Map<number, [number, number][]>();
    for (const l of logs)
      byJob.set(Number(l.job_id), [...(byJob.get(Number(l.job_id)) ?? []), [Number(l.attempt), Number(l.response_status)]]);
    for (const attempts of byJob.values())
      expect(attempts).toEqual([
        [1, 500],
        [2, 200],
      ]);
  }, 120_000);
});

describe.each(databases)('redeliveries of one job at once on $name', (db) => {
  // ROLE=api runs no delivery loop: the new message stays PENDING while the other requests arrive.
  const server = serverForSuite(db, { ROLE: 'api' });

  /** A finished job whose only message was delivered: a redelivery of it queues a new one. */
  const deliveredJob = async () => {
    const job = await finishJobWithDelivery(server().orm.em as Em, { url: 'http://127.0.0.1:9/hook', trusted: true });
    const [first] = await deliveriesOf(server(), job.id);
    await query(server().orm.em.fork() as Em, "update webhook_deliveries set status = 'DELIVERED', attempts = 1 where id = ?", [first.id]);
    return { job, first };
  };

  it('queue one new message, however many arrive together', async () => {
    const { job, first } = await deliveredJob();

    // In-process calls start together (HTTP requests arrive one parse apart and barely overlap).
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => server().services.webhooks.redeliver(job.id)));
    expect(results.map((r) => (r.status === 'rejected' ? String(r.reason) : r.status))).toEqual(Array(8).fill('fulfilled'));
    const deliveries = await deliveriesOf(server(), job.id);
    expect(deliveries.map((d) => d.status)).toEqual(['DELIVERED', 'PENDING']);
    expect(deliveries[1].message_id).toBe(first.message_id);
    expect(deliveries[1].body).toBe(first.body);
  });

  it('a delete racing redeliveries of the same job waits for them: no deadlock, nothing left behind', async () => {
    const { job } = await deliveredJob();

    const redeliveries = Array.from({ length: 4 }, () => server().services.webhooks.redeliver(job.id));
    const results = await Promise.allSettled([...redeliveries, server().services.jobs.delete(job.id)]);
    // A redelivery that came after the delete finds no job; none may fail otherwise.
    const failures = results.flatMap((r) => (r.status === 'rejected' ? [String(r.reason)] : []));
    expect(failures.filter((f) => !/job \d+ does not exist/.test(f))).toEqual([]);
    expect(results[4].status).toBe('fulfilled');
    expect(await deliveriesOf(server(), job.id)).toEqual([]);
  });
});
