import { describe, expect, it } from 'vitest';
import { serverForSuite, testDatabases } from './support/server.js';
import type { Em } from '../src/db/orm.js';
import { run } from '../src/db/sql.js';
import { claimJobs } from '../src/engine/sql/claim-jobs.js';

/**
 * JSON columns read by hand (the jobs list, the engine's claim) come back from the drivers in two
 * forms: as JSON text (SQLite, the mariadb driver) or already parsed (the mysql driver, on MySQL 8 and
 * on MariaDB alike). A result that is a JSON string which itself looks like JSON must stay a string.
 */
describe.each(testDatabases())('JSON columns read by hand on $name', (db) => {
  const server = serverForSuite(db, { ROLE: 'api' });
  const em = () => server().orm.em.fork() as Em;
  const results = ['42', 'true', 'null', '[1]', '{"a":1}', 'plain text'];

  it('a string result keeps its type in the jobs list, as job(id) reads it', async () => {
    const created = await server().gql('mutation($in: [CreateJobInput!]!) { createJobs(inputs: $in) { id } }', {
      in: results.map((_, i) => ({ taskName: 'noop', payload: { i, nested: { s: '7' } }, runAt: '2099-01-01T00:00:00Z' })),
    });
    expect(created.errors).toBeUndefined();
    const ids = (created.data.createJobs as { id: string }[]).map((j) => Number(j.id));
    for (const [i, id] of ids.entries()) await run(em(), 'update jobs set result = ? where id = ?', [JSON.stringify(results[i]), id]);

    const listed = await server().gql('{ jobs(limit: 100, sort: CREATED_AT_ASC) { jobs { id result payload } } }');
    expect(listed.errors).toBeUndefined();
    const byId = new Map((listed.data.jobs.jobs as { id: string; result: unknown; payload: unknown }[]).map((j) => [Number(j.id), j]));
    for (const [i, id] of ids.entries()) {
      expect(byId.get(id)?.result).toBe(results[i]);
      expect(byId.get(id)?.payload).toEqual({ i, nested: { s: '7' } });
      const one = await server().gql('query($id: ID!) { job(id: $id) { result } }', { id: String(id) });
      expect(one.data.job.result).toBe(results[i]);
    }
  });

  it('the engine claims a job with its payload and previous result as they were stored', async () => {
    await run(em(), 'delete from jobs');
    await server().gql('mutation($in: CreateJobInput!) { createJob(input: $in) { id } }', {
      in: { taskName: 'noop', payload: { code: '123', list: ['1', 2] } },
    });
    await run(em(), 'update jobs set result = ?', [JSON.stringify('123')]);
    const [job] = await claimJobs(server().orm, { owner: 'w', shares: [{ queue: 'default', limit: 1 }], leaseMs: 60_000, now: new Date() });
    expect(job.payload).toEqual({ code: '123', list: ['1', 2] });
    expect(job.result).toBe('123');
  });
});
