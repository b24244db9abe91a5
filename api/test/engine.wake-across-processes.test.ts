import { describe, expect, it } from 'vitest';
import { fromDbTime } from '../src/db/sql.js';
import { waitUntil } from './support/engine.js';
import { sql } from './support/queues.js';
import { mariadb, MYSQL_SKIP_REASON, startedByTests } from './support/server.js';

const redisUrl = process.env.TEST_REDIS_URL;

/**
 * As deployed: an API process creates jobs, a worker process (ROLE=worker) runs them, Redis carries
 * events between them. The worker hears of each new job on the bus instead of at its next poll.
 */
describe.skipIf(!!MYSQL_SKIP_REASON || !redisUrl)('a worker process woken by jobs created in an API process', () => {
  const started = startedByTests();

  it('with WORKER_POLL_MS at 10 s, jobs created over the API start within a second, in a named queue too', async () => {
    const url = await mariadb.create();
    const bus = { REDIS_URL: redisUrl!, REDIS_CHANNEL_PREFIX: `test-wake-${process.pid}-${Date.now()}:` };
    const api = await started.server(mariadb, { ROLE: 'api', DATABASE_URL: url, ...bus });
    const worker = started.process({ DATABASE_URL: url, ROLE: 'worker', WORKER_POLL_MS: '10000', ...bus });
    await worker.ready;
    // Past the worker's first poll, so only a wake-up can start the jobs soon.
    await new Promise((r) => setTimeout(r, 500));

    for (const queue of ['default', 'fresh-queue', 'default']) {
      const res = await api.gql('mutation($q: String) { createJob(input: { taskName: "noop", queue: $q }) { id } }', { q: queue });
      const id = res.data.createJob.id;
      const row = await waitUntil(
        `job ${id} to start`,
        async () => {
          const [r] = await sql(api, 'select created_at, started_at from jobs where id = ?', [id]);
          return r?.started_at ? r : null;
        },
        5_000,
        20,
      );
      expect(fromDbTime(row.started_at)!.getTime() - fromDbTime(row.created_at)!.getTime()).toBeLessThan(1_000);
    }
  });
});
