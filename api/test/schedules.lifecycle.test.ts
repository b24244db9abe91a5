import { describe, expect, it } from 'vitest';
import { earlyInAMinute, isFinished, sleep, waitForJob, waitUntil } from './support/engine.js';
import { serverForSuite, startServer, testDatabases, type TestServer } from './support/server.js';

const FIELDS = 'id name cron timezone taskName payload priority enabled nextRunAt lastRunAt createdAt';
const CREATE = `mutation($in: CreateScheduleInput!) { createSchedule(input: $in) { ${FIELDS} } }`;
const UPDATE = `mutation($id: ID!, $in: UpdateScheduleInput!) { updateSchedule(id: $id, input: $in) { ${FIELDS} } }`;

describe.each(testDatabases().filter((db) => db.name !== 'mysql'))('schedules on $name', (db) => {
  const server = serverForSuite(db, { WORKER_CONCURRENCY: '4' });

  const jobsOf = async (scheduleId: string) => {
    const res = await server().gql(
      '{ jobs(limit: 100, sort: RUN_AT_ASC) { jobs { id scheduleId runAt status taskName priority payload } } }',
    );
    return (res.data.jobs.jobs as { scheduleId: string | null; runAt: string; status: string }[]).filter(
      (j) => j.scheduleId === scheduleId,
    );
  };

  it('creates, lists, reads, updates and deletes schedules', async () => {
    const before = Date.now();
    const created = await server().gql(CREATE, {
      in: {
        name: 'nightly report',
        cron: '0 2 * * *',
        timezone: 'Europe/Berlin',
        taskName: 'report',
        payload: { format: 'pdf' },
        priority: 'HIGH',
      },
    });
    expect(created.errors).toBeUndefined();
    const s = created.data.createSchedule;
    expect(s).toMatchObject({
      name: 'nightly report',
      cron: '0 2 * * *',
      timezone: 'Europe/Berlin',
      enabled: true,
      priority: 'HIGH',
      payload: { format: 'pdf' },
      lastRunAt: null,
    });
    const next = new Date(s.nextRunAt);
    expect(next.getTime()).toBeGreaterThan(before);
    // 02:00 in Berlin is 00:00 or 01:00 UTC depending on daylight saving time.
    expect([0, 1]).toContain(next.getUTCHours());
    expect(next.getUTCMinutes()).toBe(0);

    const defaults = (await server().gql(CREATE, { in: { name: 'defaults', cron: '*/5 * * * *', taskName: 'noop' } })).data.createSchedule;
    expect(defaults).toMatchObject({ timezone: 'UTC', priority: 'LOW', enabled: true });

    const list = (await server().gql(`{ schedules { ${FIELDS} } }`)).data.schedules;
    expect(list.map((x: { name: string }) => x.name)).toEqual(expect.arrayContaining(['nightly report', 'defaults']));
    expect((await server().gql('query($id: ID!) { schedule(id: $id) { name } }', { id: s.id })).data.schedule.name).toBe('nightly report');

    const updated = (await server().gql(UPDATE, { id: s.id, in: { cron: '30 6 * * *', timezone: 'UTC' } })).data.updateSchedule;
    expect(new Date(updated.nextRunAt).getUTCHours()).toBe(6);
    expect(new Date(updated.nextRunAt).getUTCMinutes()).toBe(30);
    const disabled = (await server().gql(UPDATE, { id: s.id, in: { enabled: false } })).data.updateSchedule;
    expect(disabled).toMatchObject({ enabled: false, nextRunAt: null, cron: '30 6 * * *' });
    const enabled = (await server().gql(UPDATE, { id: s.id, in: { enabled: true } })).data.updateSchedule;
    expect(enabled.nextRunAt).not.toBeNull();

    expect((await server().gql('mutation($id: ID!) { deleteSchedule(id: $id) }', { id: s.id })).data.deleteSchedule).toBe(true);
    expect((await server().gql('query($id: ID!) { schedule(id: $id) { id } }', { id: s.id })).data.schedule).toBeNull();
    const again = await server().gql('mutation($id: ID!) { deleteSchedule(id: $id) }', { id: s.id });
    expect(again.errors?.[0].extensions?.code).toBe('NOT_FOUND');
  });

  it('rejects a bad cron, timezone or name with BAD_USER_INPUT naming the field', async () => {
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ name: 'bad cron', cron: '61 * * * *', taskName: 'noop' }, 'input.cron', /cron pattern/],
      [{ name: 'bad cron 2', cron: 'every monday', taskName: 'noop' }, 'input.cron', /cron pattern/],
      [{ name: 'bad tz', cron: '* * * * *', timezone: 'Moon/Tranquility', taskName: 'noop' }, 'input.timezone', /IANA timezone/],
      [{ name: '', cron: '* * * * *', taskName: 'noop' }, 'input.name', /1–255/],
      [{ name: 'bad url', cron: '* * * * *', taskName: 'http.request', payload: { url: 'ftp://x' } }, 'input.payload.url', /http/],
    ];
    for (const [input, field, message] of cases) {
      const res = await server().gql(CREATE, { in: input });
      expect(res.errors?.[0].extensions, JSON.stringify(input)).toMatchObject({ code: 'BAD_USER_INPUT', field });
      expect(res.errors?.[0].message).toMatch(message);
    }
    const first = await server().gql(CREATE, { in: { name: 'taken', cron: '* * * * *', taskName: 'noop', enabled: false } });
    expect(first.errors).toBeUndefined();
    const dup = await server().gql(CREATE, { in: { name: 'taken', cron: '* * * * *', taskName: 'noop' } });
    expect(dup.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.name' });
    const badUpdate = await server().gql(UPDATE, { id: first.data.createSchedule.id, in: { timezone: 'Nowhere/Else' } });
    expect(badUpdate.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.timezone' });
    expect((await server().gql(`{ schedules { name } }`)).data.schedules.filter((s: { name: string }) => s.name.startsWith('bad'))).toEqual(
      [],
    );
  });

  it('an every-second schedule creates one job per tick, due at its tick, and the jobs run', async () => {
    const s = (await server().gql(CREATE, { in: { name: 'every second', cron: '* * * * * *', taskName: 'noop', priority: 'MEDIUM' } })).data
      .createSchedule;
    await sleep(3500);
    await server().gql(UPDATE, { id: s.id, in: { enabled: false } });
    await sleep(300);
    const jobs = await jobsOf(s.id);
    expect(jobs.length).toBeGreaterThanOrEqual(2);
    expect(jobs.length).toBeLessThanOrEqual(5);
    const ticks = jobs.map((j) => Date.parse(j.runAt));
    for (const t of ticks) expect(t % 1000).toBe(0); // due exactly at a whole second
    for (let i = 1; i < ticks.length; i++) expect(ticks[i] - ticks[i - 1]).toBe(1000); // one per tick, none skipped
    for (const j of jobs) await waitForJob(server(), (j as any).id, isFinished);
    const read = (await server().gql('query($id: ID!) { schedule(id: $id) { lastRunAt } }', { id: s.id })).data.schedule;
    expect(read.lastRunAt).not.toBeNull();
  });

  it('triggerSchedule creates one job now with the schedule’s task, payload and priority', async () => {
    const s = (
      await server().gql(CREATE, { in: { name: 'manual', cron: '0 0 1 1 *', taskName: 'noop', payload: { a: 1 }, priority: 'HIGH' } })
    ).data.createSchedule;
    const res = await server().gql('mutation($id: ID!) { triggerSchedule(id: $id) { id taskName payload priority scheduleId status } }', {
      id: s.id,
    });
    expect(res.errors).toBeUndefined();
    expect(res.data.triggerSchedule).toMatchObject({ taskName: 'noop', payload: { a: 1 }, priority: 'HIGH', scheduleId: s.id });
    const done = await waitForJob(server(), res.data.triggerSchedule.id, isFinished);
    expect(done.status).toBe('COMPLETED');
    const after = (await server().gql('query($id: ID!) { schedule(id: $id) { nextRunAt lastRunAt } }', { id: s.id })).data.schedule;
    expect(after.nextRunAt).toBe(s.nextRunAt); // the cron rhythm is untouched
    expect(after.lastRunAt).not.toBeNull();
    const missing = await server().gql('mutation { triggerSchedule(id: 999999) { id } }');
    expect(missing.errors?.[0].extensions?.code).toBe('NOT_FOUND');
  });
});

describe.each(testDatabases().filter((db) => db.name !== 'mysql'))('schedules across a restart on $name', (db) => {
  it('ticks missed while down run once on start, at the last missed tick, not once per missed tick', async () => {
    // The schedule ticks every minute: a minute starting during the test would add a real, due job.
    await earlyInAMinute();
    const url = await db.create();
    const first = await startServer(db, { DATABASE_URL: url });
    const s = (await first.gql(CREATE, { in: { name: 'every minute', cron: '* * * * *', taskName: 'noop' } })).data.createSchedule;
    await first.stop();

    // Down for an hour: sixty ticks were missed.
    const reader = await startServer(db, { DATABASE_URL: url, ROLE: 'api' });
    const hourAgo = new Date(Date.now() - 3_600_000);
    hourAgo.setUTCSeconds(0, 0);
    const sqlite = reader.config.database.dialect === 'sqlite';
    await reader.orm.em
      .fork()
      .getConnection()
      .execute('update schedules set next_run_at = ? where id = ?', [
        sqlite ? hourAgo.getTime() : hourAgo.toISOString().replace('T', ' ').replace('Z', ''),
        Number(s.id),
      ]);

    // The first server may have fired a real tick before it stopped: only count what the restart adds.
    const ofSchedule = async (from: TestServer) =>
      (await from.gql('{ jobs(limit: 100) { jobs { id scheduleId runAt } } }')).data.jobs.jobs.filter(
        (j: { scheduleId: string }) => j.scheduleId === s.id,
      ) as {
        id: string;
        runAt: string;
      }[];
    const before = new Set((await ofSchedule(reader)).map((j) => j.id));

    const second = await startServer(db, { DATABASE_URL: url });
    try {
      await waitUntil('the missed tick to run', async () => (await ofSchedule(second)).length > before.size);
      await sleep(1500); // time for any further (wrong) catch-up jobs to appear
      const added = (await ofSchedule(second)).filter((j) => !before.has(j.id));
      expect(added.length).toBe(1);
      // misfire RUN_ONCE (the default): the one job is the outage's last missed tick, a whole minute not in the future.
      const runAt = Date.parse(added[0].runAt);
      expect(runAt % 60_000).toBe(0);
      expect(runAt).toBeGreaterThan(hourAgo.getTime());
      expect(runAt).toBeLessThanOrEqual(Date.now());
      const after = (await second.gql('query($id: ID!) { schedule(id: $id) { nextRunAt } }', { id: s.id })).data.schedule;
      expect(Date.parse(after.nextRunAt)).toBeGreaterThan(Date.now() - 1000);
    } finally {
      await second.stop();
      await reader.stop();
    }
  });
});
