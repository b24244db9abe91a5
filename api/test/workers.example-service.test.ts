import { describe, expect, it } from 'vitest';
import { serverForSuite, sqlite, startedByTests } from './support/server.js';

/** examples/other-service, as its README runs it: a separate process that registers a worker, enqueues, and drains. */
describe('the other-service example', () => {
  const server = serverForSuite(sqlite);
  const started = startedByTests('each');

  it('runs its own task remotely: five jobs COMPLETED, then it exits 0', async () => {
    const p = started.process(
      { JOBS_URL: server().url, JOBS_COUNT: '5' },
      { cwd: '../examples/other-service', script: 'src/main.ts', readyLine: /worker registered as (w_[0-9a-f]+)/, development: true },
    );
    const workerId = await p.ready;
    const { code } = await p.exited;
    expect(code).toBe(0);
    expect(p.lines.filter((l) => / COMPLETED: /.test(l))).toHaveLength(5);
    expect(p.lines.at(-1)).toBe('done');
    const jobs = (await server().gql('{ jobs(filter: { taskName: "thumbnail.render" }) { total jobs { status queue result } } }')).data
      .jobs;
    expect(jobs.total).toBe(5);
    for (const job of jobs.jobs) expect(job).toMatchObject({ status: 'COMPLETED', queue: 'thumbnails', result: { renderedBy: workerId } });
    const task = (await server().gql('{ task(name: "thumbnail.render") { source defaults { queue } } }')).data.task;
    expect(task).toEqual({ source: 'REMOTE', defaults: { queue: 'thumbnails' } });
  });
});
