import { describe, expect, it } from 'vitest';
import type { AppProcess } from './support/app-process.js';
import { waitUntil } from './support/engine.js';
import { startedByTests, testDatabases, type TestServer } from './support/server.js';

/**
 * SIGTERM on the real entry point (`src/main.ts`, ROLE=all) while it runs jobs: running jobs finish
 * within SHUTDOWN_GRACE_MS, or go back to PENDING past it; the process exits 0; nothing stays RUNNING.
 */
describe.each(testDatabases().filter((db) => db.name !== 'mysql'))('graceful shutdown on $name', (db) => {
  const started = startedByTests();

  /** A migrated database, a ROLE=api server to read it with, and the app process under test. */
  async function start(graceMs: number): Promise<{ app: AppProcess; reader: TestServer; gql: (q: string, v?: object) => Promise<any> }> {
    const url = await db.create();
    const reader = await started.server(db, { ROLE: 'api', DATABASE_URL: url });
    const app = started.process({
      DATABASE_URL: url,
      ROLE: 'all',
      WORKER_CONCURRENCY: '4',
      WORKER_POLL_MS: '50',
      SHUTDOWN_GRACE_MS: String(graceMs),
    });
    const base = await app.ready;
    const gql = async (query: string, variables?: object) => {
      const res = await fetch(`${base}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query, variables }),
      });
      return res.json();
    };
    return { app, reader, gql };
  }

  const statuses = async (reader: TestServer) =>
    (await reader.gql('{ jobs(limit: 100) { jobs { id status attempts progress lastError completedAt } } }')).data.jobs.jobs as {
      id: string;
      status: string;
      attempts: number;
      lastError: string | null;
    }[];

  it('lets running jobs finish within the grace period, then exits 0', async () => {
    const { app, reader, gql } = await start(15_000);
    for (let i = 0; i < 3; i++) await gql('mutation { createJob(input: { taskName: "finishing", payload: { durationMs: 1500 } }) { id } }');
    await waitUntil('three jobs RUNNING', async () => (await statuses(reader)).filter((j) => j.status === 'RUNNING').length === 3);
    const signalledAt = Date.now();
    app.child.kill('SIGTERM');
    const exit = await app.exited;
    expect(exit.code).toBe(0);
    expect(Date.now() - signalledAt).toBeLessThan(15_000); // it did not sit out the whole grace period
    const jobs = await statuses(reader);
    expect(jobs.map((j) => j.status)).toEqual(['COMPLETED', 'COMPLETED', 'COMPLETED']);
    expect(app.lines.some((l) => l.includes('SIGTERM: shutting down'))).toBe(true);
  }, 60_000);

  it('returns jobs still running past the grace period to PENDING, then exits 0', async () => {
    const { app, reader, gql } = await start(500);
    for (let i = 0; i < 2; i++) await gql('mutation { createJob(input: { taskName: "too-long", payload: { durationMs: 20000 } }) { id } }');
    await waitUntil('two jobs RUNNING', async () => (await statuses(reader)).filter((j) => j.status === 'RUNNING').length === 2);
    const signalledAt = Date.now();
    app.child.kill('SIGTERM');
    const exit = await app.exited;
    expect(exit.code).toBe(0);
    expect(Date.now() - signalledAt).toBeGreaterThanOrEqual(500);
    expect(Date.now() - signalledAt).toBeLessThan(15_000);
    const jobs = await statuses(reader);
    expect(jobs.map((j) => [j.status, j.attempts])).toEqual([
      ['PENDING', 0],
      ['PENDING', 0],
    ]);
    expect(jobs[0].lastError).toMatch(/shut down before the job finished/);
  }, 60_000);
});
