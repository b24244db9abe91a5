import { rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sleep } from './support/engine.js';
import { startServer, testDatabases } from './support/server.js';
import { writeTasksDir } from './support/task-modules.js';

const CREATE = 'mutation($in: CreateScheduleInput!) { createSchedule(input: $in) { id overlap misfire } }';
const READ = 'query($id: ID!) { schedule(id: $id) { fires(limit: 500) { tickAt outcome jobId reason } nextRuns(count: 3) } }';

describe.each(testDatabases().filter((db) => db.name !== 'mysql'))('schedule misfire policies on $name', (db) => {
  it('after 10 s down: SKIP creates no catch-up job, RUN_ALL one job per missed tick', async () => {
    const url = await db.create();
    const reader = await startServer(db, { DATABASE_URL: url, ROLE: 'api' });
    const skip = (
      await reader.gql(CREATE, { in: { name: 'skip', cron: '* * * * * *', taskName: 'noop', misfire: 'SKIP', enabled: false } })
    ).data.createSchedule;
    const all = (
      await reader.gql(CREATE, { in: { name: 'all', cron: '* * * * * *', taskName: 'noop', misfire: 'RUN_ALL', enabled: false } })
    ).data.createSchedule;
    expect(skip).toMatchObject({ overlap: 'ALLOW', misfire: 'SKIP' });
    const down = new Date(Date.now() - 10_000);
    down.setUTCMilliseconds(0);
    const sqlite = reader.config.database.dialect === 'sqlite';
    const at = sqlite ? down.getTime() : down.toISOString().replace('T', ' ').replace('Z', '');
    await reader.orm.em.fork().getConnection().execute('update schedules set enabled = 1, next_run_at = ?', [at]);
    const restarted = new Date();
    const server = await startServer(db, { DATABASE_URL: url });
    try {
      await sleep(1500);
      await server.gql('mutation($id: ID!) { updateSchedule(id: $id, input: { enabled: false }) { id } }', { id: skip.id });
      await server.gql('mutation($id: ID!) { updateSchedule(id: $id, input: { enabled: false }) { id } }', { id: all.id });
      const jobs = (await server.gql('{ jobs(limit: 100, sort: RUN_AT_ASC) { jobs { scheduleId runAt } } }')).data.jobs.jobs as {
        scheduleId: string;
        runAt: string;
      }[];
      const caughtUp = (id: string) => jobs.filter((j) => j.scheduleId === id && Date.parse(j.runAt) <= restarted.getTime() - 1000);
      expect(caughtUp(skip.id)).toEqual([]);
      // One job per tick from the first missed one: ten or more whole seconds, none doubled.
      const ticks = caughtUp(all.id).map((j) => Date.parse(j.runAt));
      expect(ticks[0]).toBe(down.getTime());
      expect(ticks.length).toBeGreaterThanOrEqual(9);
      for (let i = 1; i < ticks.length; i++) expect(ticks[i] - ticks[i - 1]).toBe(1000);

      const skipped = (await server.gql(READ, { id: skip.id })).data.schedule;
      const missed = skipped.fires.filter((f: { outcome: string }) => f.outcome === 'MISSED');
      expect(missed.length).toBeGreaterThanOrEqual(10);
      expect(missed.every((f: { jobId: string | null }) => f.jobId === null)).toBe(true);
      expect(skipped.nextRuns).toHaveLength(3); // disabled, still computed
      const bad = await server.gql('query($id: ID!) { schedule(id: $id) { fires(limit: 501) { outcome } } }', { id: skip.id });
      expect(bad.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'limit' });
      const badCount = await server.gql('query($id: ID!) { schedule(id: $id) { nextRuns(count: 0) } }', { id: skip.id });
      expect(badCount.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'count' });
    } finally {
      await server.stop();
      await reader.stop();
    }
  }, 60_000);
});

// A job that takes 5 s, started by an every-second schedule.
const SLOW_MJS = `export default { name: 'slow.task', handler: () => new Promise((resolve) => setTimeout(() => resolve({ slept: 5000 }), 5000)) };\n`;

describe.each(testDatabases().filter((db) => db.name !== 'mysql'))('schedule overlap SKIP on $name', (db) => {
  it('an every-second schedule whose job takes 5 s runs one job at a time; the fire history shows the skipped ticks', async () => {
    const url = await db.create();
    const tasksDir = writeTasksDir({ 'slow.mjs': SLOW_MJS });
    const server = await startServer(db, { DATABASE_URL: url, TASKS_DIR: tasksDir });
    try {
      const schedule = (await server.gql(CREATE, { in: { name: 'slow', cron: '* * * * * *', taskName: 'slow.task', overlap: 'SKIP' } }))
        .data.createSchedule;
      expect(schedule.overlap).toBe('SKIP');
      await sleep(8_000);
      await server.gql('mutation($id: ID!) { updateSchedule(id: $id, input: { enabled: false }) { id } }', { id: schedule.id });
      const jobs = (await server.gql('{ jobs(limit: 100, sort: RUN_AT_ASC) { jobs { id scheduleId status startedAt completedAt } } }')).data
        .jobs.jobs as { id: string; scheduleId: string; status: string; startedAt: string | null; completedAt: string | null }[];
      const mine = jobs.filter((j) => j.scheduleId === schedule.id);
      // 8 s of ticks with a 5 s job: two jobs at most, never two at once.
      expect(mine.length).toBeGreaterThanOrEqual(1);
      expect(mine.length).toBeLessThanOrEqual(2);
      if (mine.length === 2) expect(Date.parse(mine[1].startedAt!)).toBeGreaterThanOrEqual(Date.parse(mine[0].completedAt!));
      const fires = (await server.gql(READ, { id: schedule.id })).data.schedule.fires as { outcome: string; jobId: string | null }[];
      const created = fires.filter((f) => f.outcome === 'CREATED');
      const skipped = fires.filter((f) => f.outcome === 'SKIPPED_OVERLAP');
      expect(created.map((f) => f.jobId).sort()).toEqual(mine.map((j) => j.id).sort());
      expect(skipped.length).toBeGreaterThanOrEqual(4);
      expect(skipped.every((f) => f.jobId === null)).toBe(true);
      // Each fire answers with its job (read in one query for the whole list), or null when it made none.
      const withJobs = (
        await server.gql('query($id: ID!) { schedule(id: $id) { fires(limit: 500) { outcome jobId job { id status scheduleId } } } }', {
          id: schedule.id,
        })
      ).data.schedule.fires as { outcome: string; jobId: string | null; job: { id: string; status: string; scheduleId: string } | null }[];
      for (const fire of withJobs) {
        if (fire.jobId === null) expect(fire.job).toBeNull();
        else expect(fire.job).toMatchObject({ id: fire.jobId, scheduleId: schedule.id });
      }
      expect(withJobs.filter((f) => f.job).length).toBe(mine.length);
    } finally {
      await server.stop();
      rmSync(tasksDir, { recursive: true, force: true });
    }
  }, 60_000);
});
