import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { migrate, openOrm, type Em } from '../src/db/orm.js';
import { query } from '../src/db/sql.js';
import { Engine } from '../src/engine/engine.js';
import type { FinishHook } from '../src/engine/finish-hooks.js';
import { JobsService } from '../src/jobs/jobs.service.js';
import { silentLog } from '../src/log.js';
import { silentWebhookEvents } from '../src/webhooks/webhook.events.js';
import { createWebhooks } from '../src/webhooks/webhooks.js';
import { serviceJob } from './support/engine.js';
import { eventually, receiverForSuite } from './support/webhooks.js';
import { forSuite, testDatabases } from './support/server.js';

/**
 * A finish in a sending process writes its deliveries leased to that process's sender and hands them
 * over after the commit. A finish that rolls back after writing them must send nothing: the rows are
 * gone, and the sender must not have heard of them.
 */
describe.each(testDatabases().filter((db) => db.name !== 'mysql'))('deliveries handed from the finish to the sender on $name', (db) => {
  const receiver = receiverForSuite({ '/hook': () => ({ status: 200 }) });
  /** Finishing transactions the failing hook still has to roll back. */
  let failures = 0;

  const app = forSuite(
    async () => {
      const config = loadConfig({
        DATABASE_URL: await db.create(),
        ROLE: 'worker',
        OUTBOUND_WEBHOOK: `${receiver().url}/hook`,
        WORKER_CONCURRENCY: '4',
        // Two slots: a burst of finishes outruns the sender's room, so some rows go PENDING and are claimed.
        WEBHOOK_CONCURRENCY: '2',
        WORKER_POLL_MS: '50',
      });
      const orm = await openOrm(config.database);
      if (db.name === 'sqlite') await migrate(orm);
      const webhooks = createWebhooks(orm, config, silentWebhookEvents);
      // After the outbox hook, as the throughput counters run in the app: a throw rolls back what the outbox wrote.
      const flaky: FinishHook = async () => {
        if (failures > 0) {
          failures--;
          throw new Error('counters unavailable');
        }
      };
      const engine = new Engine({
        orm,
        config,
        events: { created() {}, updated() {} },
        finishHooks: [(em, jobs, outcome) => webhooks.recordOnFinish(em, jobs, outcome), flaky],
        log: silentLog,
      });
      await webhooks.start('http://127.0.0.1:9', silentLog);
      engine.start();
      return { orm, engine, webhooks, jobs: new JobsService(orm, engine.events) };
    },
    async ({ orm, engine, webhooks }) => {
      await engine.stop();
      await webhooks.stop(1000);
      await orm.close(true);
    },
  );

  it('finishes that roll back send nothing; the finish that commits sends each job’s webhook once, with its row’s webhook-id', async () => {
    failures = 3;
    const created = await app().jobs.create(Array.from({ length: 20 }, (_, i) => serviceJob('noop', { i })));
    const ids = created.map((j) => Number(j.id));
    const rows = await eventually(
      async () => {
        const found = await query<{ job_id: number; message_id: string; status: string; attempts: number }>(
          app().orm.em.fork() as Em,
          `select job_id, message_id, status, attempts from webhook_deliveries where job_id in (${ids.join(', ')}) order by job_id`,
        );
        return found.length === ids.length && found.every((r) => r.status === 'DELIVERED') && found;
      },
      20_000,
      'every job’s delivery to be DELIVERED',
    );
    expect(failures).toBe(0);
    expect(rows.map((r) => Number(r.job_id))).toEqual(ids);
    expect(rows.map((r) => Number(r.attempts))).toEqual(ids.map(() => 1));
    // Give a phantom send of a rolled-back row time to show.
    await new Promise((r) => setTimeout(r, 300));
    const sent = receiver()
      .on('/hook')
      .map((h) => ({ id: h.headers['webhook-id'], jobId: (JSON.parse(h.body) as { jobId: number }).jobId }));
    expect(sent.filter((s) => ids.includes(s.jobId)).sort((a, b) => a.jobId - b.jobId)).toEqual(
      rows.map((r) => ({ id: r.message_id, jobId: Number(r.job_id) })),
    );
  });

  it('600 jobs through a sender of two slots, handed over or claimed: every webhook sent exactly once', async () => {
    const created = await app().jobs.create(Array.from({ length: 600 }, (_, i) => serviceJob('noop', { i })));
    const ids = created.map((j) => Number(j.id));
    await eventually(
      async () => {
        const [row] = await query<{ n: number }>(
          app().orm.em.fork() as Em,
          `select count(*) as n from webhook_deliveries where status = 'DELIVERED' and job_id between ? and ?`,
          [ids[0], ids[ids.length - 1]],
        );
        return Number(row.n) === ids.length;
      },
      30_000,
      'all 600 webhooks delivered',
    );
    const hits = receiver()
      .on('/hook')
      .map((h) => (JSON.parse(h.body) as { jobId: number }).jobId)
      .filter((id) => ids.includes(id));
    expect(hits.length).toBe(ids.length);
    expect(new Set(hits).size).toBe(ids.length);
  });
});
