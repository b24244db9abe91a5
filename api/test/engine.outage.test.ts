import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJob, isFinished, sleep, waitForJob } from './support/engine.js';
import { serverForSuite, testDatabases } from './support/server.js';

/**
 * The jobs table vanishes for a few seconds under a running engine (every claim, lease check and
 * recovery fails, as in a database outage): the loops back off instead of crashing, and pick up the
 * work once it is back.
 */
describe.each(testDatabases().filter((db) => db.name !== 'mysql'))('engine through a database outage on $name', (db) => {
  const rejections: unknown[] = [];
  const onRejection = (reason: unknown) => rejections.push(reason);

  // Listening before the server starts and until after it stopped (hooks stop in reverse order).
  beforeAll(() => {
    process.on('unhandledRejection', onRejection);
  });
  afterAll(() => {
    process.off('unhandledRejection', onRejection);
  });
  const server = serverForSuite(db, { WORKER_POLL_MS: '50', LEASE_MS: '1500' });

  it('backs off while the jobs table is unreachable and runs the job once it returns', async () => {
    const job = await createJob(server(), { taskName: 'noop', runAt: new Date(Date.now() + 800).toISOString() });
    const conn = server().orm.em.fork().getConnection();
    const rename = (from: string, to: string) =>
      conn.execute(db.name === 'sqlite' ? `alter table ${from} rename to ${to}` : `rename table ${from} to ${to}`);
    await rename('jobs', 'jobs_away');
    try {
      await sleep(3000); // the job fell due meanwhile; every engine query fails
      const queue = await server().gql('{ queue { running } }');
      expect(queue.errors?.[0]).toBeDefined(); // the API reports the failure instead of hanging or crashing
    } finally {
      await rename('jobs_away', 'jobs');
    }
    const done = await waitForJob(server(), job.id, isFinished, 20_000);
    expect(done).toMatchObject({ status: 'COMPLETED', attempts: 1 });
    expect(rejections).toEqual([]);
    expect((await server().gql('{ queue { paused running } }')).data.queue).toEqual({ paused: false, running: 0 });
  }, 40_000);
});
