import { describe, expect, it } from 'vitest';
import { sleep } from './support/engine.js';
import { startedByTests, testDatabases } from './support/server.js';

/**
 * Three scheduler processes (ROLE=worker) on one database race for every tick. On SQLite they share
 * the file (its write lock serializes them); on MariaDB the row lock of the compare-and-set does.
 */
describe.each(testDatabases().filter((db) => db.name !== 'mysql'))('schedulers in three processes on $name', (db) => {
  const started = startedByTests();

  const tickMs = (value: unknown) =>
    value instanceof Date
      ? value.getTime()
      : /^\d+$/.test(String(value))
        ? Number(value)
        : Date.parse(`${String(value).replace(' ', 'T')}Z`);

  it('a schedule every second creates exactly one job per tick over 10 s', async () => {
    const url = await db.create();
    // The API server migrates the database first, so the three processes start on a ready schema.
    const api = await started.server(db, { ROLE: 'api', DATABASE_URL: url });
    const schedulers = [0, 1, 2].map(() => started.process({ DATABASE_URL: url, ROLE: 'worker', WORKER_POLL_MS: '100' }));
    await Promise.all(schedulers.map((p) => p.ready));

    const created = await api.gql(
      'mutation { createSchedule(input: { name: "every second", cron: "* * * * * *", taskName: "noop" }) { id } }',
    );
    expect(created.errors).toBeUndefined();
    const id = Number(created.data.createSchedule.id);
    await sleep(10_500);
    await api.gql('mutation($id: ID!) { updateSchedule(id: $id, input: { enabled: false }) { enabled } }', { id });
    await sleep(500);
    for (const p of schedulers) p.child.kill('SIGTERM');
    for (const p of schedulers) expect((await p.exited).code).toBe(0);

    const rows = (await api.orm.em
      .fork()
      .getConnection()
      .execute(
        'select schedule_tick_at as tick, count(*) as n from jobs where schedule_id = ? group by schedule_tick_at order by schedule_tick_at',
        [id],
      )) as {
      tick: unknown;
      n: number;
    }[];
    const ticks = rows.map((r) => tickMs(r.tick));
    expect(rows.every((r) => Number(r.n) === 1)).toBe(true);
    expect(ticks.length).toBeGreaterThanOrEqual(9);
    // One job for every second from the first tick to the last: none skipped, none doubled.
    for (let i = 1; i < ticks.length; i++) expect(ticks[i] - ticks[i - 1]).toBe(1000);
    // No process believed it created a tick another one created: the compare-and-set decided, not the unique key.
    const fired = schedulers.flatMap((p) => p.logs('schedule fired'));
    expect(fired.length).toBe(ticks.length);
  }, 120_000);
});
