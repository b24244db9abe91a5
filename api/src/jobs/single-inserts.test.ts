import { describe, expect, it } from 'vitest';
import type { Job } from './job.entity.js';
import { SingleInserts } from './single-inserts.js';

const job = (name: string): Job => {
  const at = new Date(0);
  return { taskName: name, runAt: at, createdAt: at, updatedAt: at } as Job;
};

/** A table standing in for the database: each statement takes a while, like a round trip. */
function table(failOn?: string) {
  const statements: string[][] = [];
  let next = 1;
  return {
    statements,
    insert: async (jobs: Job[]) => {
      await new Promise((r) => setTimeout(r, 5));
      statements.push(jobs.map((j) => j.taskName));
      if (jobs.some((j) => j.taskName === failOn)) throw new Error(`bad row ${failOn}`);
      for (const j of jobs) j.id = next++;
    },
  };
}

/** Adds the first job, then the others once its insert is out (as requests arriving one after another do). */
async function arriving<T>(names: string[], add: (name: string) => Promise<T>): Promise<PromiseSettledResult<T>[]> {
  const first = add(names[0]);
  await new Promise((r) => setImmediate(r));
  return Promise.allSettled([first, ...names.slice(1).map(add)]);
}

describe('SingleInserts', () => {
  it('a create alone is inserted at once, in a statement of its own', async () => {
    const db = table();
    const inserts = new SingleInserts(db.insert, (e) => (e as Error).message === 'unreachable');
    const a = job('a');
    await inserts.add(a);
    expect(db.statements).toEqual([['a']]);
    expect(a.id).toBe(1);
  });

  it('creates arriving while an insert is out go together in the next statement', async () => {
    const db = table();
    const inserts = new SingleInserts(db.insert, (e) => (e as Error).message === 'unreachable');
    const jobs = ['a', 'b', 'c', 'd'].map(job);
    await arriving(['a', 'b', 'c', 'd'], (n) => inserts.add(jobs['abcd'.indexOf(n)]));
    expect(db.statements).toEqual([['a'], ['b', 'c', 'd']]);
    expect(jobs.map((j) => j.id)).toEqual([1, 2, 3, 4]);
  });

  it('a bad row fails its own create only: the batch is tried again one job at a time', async () => {
    const db = table('c');
    const inserts = new SingleInserts(db.insert, (e) => (e as Error).message === 'unreachable');
    const outcomes = await arriving(['a', 'b', 'c', 'd'], (n) => inserts.add(job(n)));
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect((outcomes[2] as PromiseRejectedResult).reason.message).toBe('bad row c');
    expect(db.statements).toEqual([['a'], ['b', 'c', 'd'], ['b'], ['c'], ['d']]);
  });

  it('while the database is unreachable the whole batch fails at once, with no try per job', async () => {
    const statements: number[] = [];
    const inserts = new SingleInserts(
      async (jobs) => {
        await new Promise((r) => setTimeout(r, 5));
        statements.push(jobs.length);
        throw new Error('unreachable');
      },
      (e) => (e as Error).message === 'unreachable',
    );
    const outcomes = await arriving(['a', 'b', 'c'], (n) => inserts.add(job(n)));
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(statements).toEqual([1, 2]);
  });

  it('creates added in one turn share the first statement', async () => {
    const db = table();
    const inserts = new SingleInserts(db.insert, (e) => (e as Error).message === 'unreachable');
    await Promise.all(['a', 'b', 'c'].map((n) => inserts.add(job(n))));
    expect(db.statements).toEqual([['a', 'b', 'c']]);
  });

  it('the jobs of one statement are created at its instant, and a default runAt moves with it', async () => {
    const db = table();
    const inserts = new SingleInserts(db.insert, (e) => (e as Error).message === 'unreachable');
    const later = new Date(Date.now() + 3_600_000);
    const a = job('a');
    const b = { ...job('b'), runAt: later };
    const before = Date.now();
    await Promise.all([inserts.add(a), inserts.add(b)]);
    expect(a.createdAt.getTime()).toBeGreaterThanOrEqual(before);
    expect(a.runAt).toEqual(a.createdAt);
    expect(b.updatedAt).toEqual(b.createdAt);
    expect(b.runAt).toBe(later);
  });
});
