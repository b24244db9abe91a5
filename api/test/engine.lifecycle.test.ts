import { describe, expect, it, onTestFinished } from 'vitest';
import { createJob, getJob, isFinished, sleep, waitForJob } from './support/engine.js';
import { serverForSuite, testDatabases } from './support/server.js';

/** The engine in one process (ROLE=all), over the real GraphQL API, on SQLite and MariaDB. */
describe.each(testDatabases())('engine on $name', (db) => {
  const server = serverForSuite(db, { WORKER_CONCURRENCY: '1', WORKER_POLL_MS: '50', LEASE_MS: '3000', SHUTDOWN_GRACE_MS: '500' });

  const pause = (name?: string) =>
    name
      ? server().gql('mutation($q: String) { pauseQueue(name: $q) { paused } }', { q: name })
      : server().gql('mutation { pauseQueue { paused } }');
  const resume = (name?: string) =>
    name
      ? server().gql('mutation($q: String) { resumeQueue(name: $q) { paused } }', { q: name })
      : server().gql('mutation { resumeQueue { paused } }');

  // The default queue paused the way the seed did it (every queue), a named one by its name.
  it.each([
    ['default', undefined],
    ['reports', 'reports'],
  ])('in queue %s: starts HIGH, then MEDIUM, then LOW; equal priorities in runAt order', async (queue, name) => {
    expect((await pause(name)).data.pauseQueue.paused).toBe(true);
    // A failed assertion below must not leave the queue paused for the tests after it.
    onTestFinished(async () => void (await resume(name)));
    const past = (s: number) => new Date(Date.now() - s * 1000).toISOString();
    const job = (input: Record<string, unknown>) =>
      createJob(server(), { taskName: 'order', queue, payload: { durationMs: 20 }, ...input });
    // Created in an order that is wrong on purpose: the claim must sort, not the insert order.
    const low = await job({ priority: 'LOW', runAt: past(30) });
    const medLate = await job({ priority: 'MEDIUM', runAt: past(10) });
    const medEarly = await job({ priority: 'MEDIUM', runAt: past(20) });
    const high = await job({ priority: 'HIGH' });
    await sleep(300);
    expect((await getJob(server(), low.id)).status).toBe('PENDING'); // paused: nothing ran
    const info = await server().gql('query($q: String) { queue(name: $q) { name paused concurrency running pending } }', { q: queue });
    expect(info.data.queue).toMatchObject({ name: queue, paused: true, concurrency: 1, running: 0 });
    expect(info.data.queue.pending).toBeGreaterThanOrEqual(4);

    expect((await resume(name)).data.resumeQueue.paused).toBe(false);
    const done = await Promise.all([high, medEarly, medLate, low].map((j) => waitForJob(server(), j.id, isFinished)));
    expect(done.map((j) => j.status)).toEqual(['COMPLETED', 'COMPLETED', 'COMPLETED', 'COMPLETED']);
    const started = done.map((j) => Date.parse(j.startedAt!));
    for (let i = 1; i < started.length; i++) expect(started[i]).toBeGreaterThan(started[i - 1]);
    // Concurrency 1: each started only after the one before it completed.
    for (let i = 1; i < done.length; i++) expect(started[i]).toBeGreaterThanOrEqual(Date.parse(done[i - 1].completedAt!));
  });

  it('does not start a job before its runAt', async () => {
    const runAt = new Date(Date.now() + 2000);
    const job = await createJob(server(), { taskName: 'noop', runAt: runAt.toISOString() });
    await sleep(1500);
    expect((await getJob(server(), job.id)).status).toBe('PENDING');
    const done = await waitForJob(server(), job.id, isFinished, 15_000);
    expect(done.status).toBe('COMPLETED');
    expect(Date.parse(done.startedAt!)).toBeGreaterThanOrEqual(runAt.getTime());
    expect(Date.parse(done.startedAt!)).toBeLessThan(runAt.getTime() + 5000); // generous: the machine is shared
  });

  it('retries a failing job with backoff, then fails it with lastError after maxAttempts', async () => {
    const job = await createJob(server(), { taskName: 'always-fails', payload: { fail: true, durationMs: 10 }, maxAttempts: 3 });
    const seen = new Set<number>();
    const done = await waitForJob(
      server(),
      job.id,
      (j) => {
        seen.add(j.attempts);
        return isFinished(j);
      },
      30_000,
    );
    expect(done).toMatchObject({ status: 'FAILED', attempts: 3, maxAttempts: 3 });
    expect(done.lastError).toMatch(/simulated failure/);
    expect(done.completedAt).not.toBeNull();
    // Between runs it went back to PENDING with a later runAt (backoff), so attempts were seen one by one.
    expect([...seen].filter((n) => n > 0).length).toBeGreaterThanOrEqual(2);
  });

  it('fails a run longer than timeoutMs with a timeout error', async () => {
    const job = await createJob(server(), { taskName: 'slow', payload: { durationMs: 5000 }, timeoutMs: 300, maxAttempts: 1 });
    const done = await waitForJob(server(), job.id, isFinished, 15_000);
    expect(done).toMatchObject({ status: 'FAILED', attempts: 1 });
    expect(done.lastError).toMatch(/timed out after 300 ms/);
    expect(done.runDurationMs).toBeGreaterThanOrEqual(300);
    expect(done.runDurationMs).toBeLessThan(4000);
  });

  it('reports progress while running and records result, timings and attempts at the end', async () => {
    const job = await createJob(server(), { taskName: 'report', payload: { durationMs: 1500 } });
    const midway = await waitForJob(server(), job.id, (j) => j.status === 'RUNNING' && (j.progress ?? 0) > 0 && (j.progress ?? 0) < 1);
    expect(midway.startedAt).not.toBeNull();
    const done = await waitForJob(server(), job.id, isFinished);
    expect(done).toMatchObject({ status: 'COMPLETED', attempts: 1, progress: 1, result: { simulated: true, durationMs: 1500 } });
    expect(done.runDurationMs).toBeGreaterThanOrEqual(1500);
    expect(Date.parse(done.completedAt!) - Date.parse(done.startedAt!)).toBe(done.runDurationMs);
  });

  it('cancelling a running 10 s job stops its handler within a second and ends CANCELLED', async () => {
    const long = await createJob(server(), { taskName: 'long', payload: { durationMs: 10_000 } });
    await waitForJob(server(), long.id, (j) => j.status === 'RUNNING' && (j.progress ?? 0) > 0);
    const cancelledAt = Date.now();
    const res = await server().gql('mutation($id: ID!) { cancelJob(id: $id) { id status completedAt } }', { id: long.id });
    expect(res.errors).toBeUndefined();
    expect(res.data.cancelJob.status).toBe('CANCELLED');
    // Concurrency is 1: the next job can only start once the cancelled handler gave its slot back.
    const next = await createJob(server(), { taskName: 'noop' });
    const nextDone = await waitForJob(server(), next.id, isFinished, 10_000);
    expect(Date.parse(nextDone.startedAt!) - cancelledAt).toBeLessThan(1000 + 1500); // 1 s, plus slack for a loaded machine
    const progress = (await getJob(server(), long.id)).progress;
    await sleep(1200); // a simulated step is 1 s: a still-running handler would report again
    const after = await getJob(server(), long.id);
    expect(after).toMatchObject({ status: 'CANCELLED', progress });
  });

  it('cancelling a finished job is a CONFLICT and changes nothing', async () => {
    const job = await createJob(server(), { taskName: 'noop' });
    await waitForJob(server(), job.id, isFinished);
    const res = await server().gql('mutation($id: ID!) { cancelJob(id: $id) { id } }', { id: job.id });
    expect(res.errors?.[0].extensions?.code).toBe('CONFLICT');
    expect((await getJob(server(), job.id)).status).toBe('COMPLETED');
  });

  it('takes back a job whose worker stopped responding and runs it again', async () => {
    // A job left RUNNING by a crashed process: its lease expired a moment ago and nobody renews it.
    const job = await createJob(server(), { taskName: 'noop', runAt: new Date(Date.now() + 3_600_000).toISOString() });
    const em = server().orm.em.fork();
    const sqlite = server().config.database.dialect === 'sqlite';
    const t = (d: Date) => (sqlite ? d.getTime() : d.toISOString().replace('T', ' ').replace('Z', ''));
    await em
      .getConnection()
      .execute(
        "update jobs set status = 'RUNNING', attempts = 1, lease_owner = 'crashed-worker', lease_expires_at = ?, started_at = ?, run_at = ? where id = ?",
        [t(new Date(Date.now() - 1000)), t(new Date(Date.now() - 5000)), t(new Date(Date.now() - 5000)), Number(job.id)],
      );
    const done = await waitForJob(server(), job.id, isFinished, 15_000);
    expect(done).toMatchObject({ status: 'COMPLETED', attempts: 2 });
    expect(done.lastError).toMatch(/crashed-worker stopped responding/);
  });

  it('rejects payloads that do not fit the task, naming the field', async () => {
    const bad = await server().gql('mutation($in: CreateJobInput!) { createJob(input: $in) { id } }', {
      in: { taskName: 'http.request', payload: { url: 'not a url' } },
    });
    expect(bad.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.payload.url' });
    const internal = await server().gql('mutation($in: CreateJobInput!) { createJob(input: $in) { id } }', {
      in: { taskName: 'http.request', payload: { url: 'http://169.254.169.254/latest/meta-data' } },
    });
    expect(internal.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.payload.url' });
    const duration = await server().gql('mutation($ins: [CreateJobInput!]!) { createJobs(inputs: $ins) { id } }', {
      ins: [{ taskName: 'noop' }, { taskName: 'sim', payload: { durationMs: 'soon' } }],
    });
    expect(duration.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'inputs[1].payload.durationMs' });
  });
});
