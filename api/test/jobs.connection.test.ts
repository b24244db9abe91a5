import { describe, expect, it } from 'vitest';
import { MYSQL_SKIP_REASON, serverForSuite, testDatabases, type TestServer } from './support/server.js';
import { admin, NO_RATE_LIMITS, TOKENS, viewer } from './support/task-modules.js';

/**
 * jobsConnection over the real server: keyset pages that return every job exactly once while new jobs
 * arrive at the head, backward paging, ties inside one createJobs batch, cursors of deleted jobs, and
 * BAD_USER_INPUT for bad sizes and cursors.
 */

if (MYSQL_SKIP_REASON) console.warn(MYSQL_SKIP_REASON);

const PAGE = `query($f: JobFilter, $s: JobSort, $first: Int, $after: String, $last: Int, $before: String) {
  jobsConnection(filter: $f, sort: $s, first: $first, after: $after, last: $last, before: $before) {
    edges { cursor node { id } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}`;

interface Page {
  edges: { cursor: string; node: { id: string } }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
}

async function data<T = any>(server: TestServer, query: string, variables?: Record<string, unknown>, headers = admin): Promise<T> {
  const res = await server.gql<T>(query, variables, headers);
  if (res.errors) throw new Error(JSON.stringify(res.errors));
  return res.data;
}

const page = async (s: TestServer, vars: Record<string, unknown>): Promise<Page> => (await data(s, PAGE, vars)).jobsConnection;
const ids = (p: Page) => p.edges.map((e) => e.node.id);

/** `n` jobs of `taskName` in a paused queue, 1,000 per createJobs call (each call shares one createdAt). */
async function createJobs(s: TestServer, queue: string, taskName: string, n: number, priority = (_i: number) => 'LOW'): Promise<string[]> {
  const created: string[] = [];
  for (let done = 0; done < n; done += 1000) {
    const inputs = Array.from({ length: Math.min(1000, n - done) }, (_, i) => ({ taskName, queue, priority: priority(done + i) }));
    const res = await data(s, 'mutation($in: [CreateJobInput!]!) { createJobs(inputs: $in) { id } }', { in: inputs });
    created.push(...res.createJobs.map((j: { id: string }) => j.id));
  }
  return created;
}

/** Every id of the filter, page by page forward, calling `between` after each page. */
async function walkForward(s: TestServer, vars: Record<string, unknown>, between: () => Promise<unknown> = async () => {}) {
  const seen: string[] = [];
  let after: string | null = null;
  for (;;) {
    const p = await page(s, { ...vars, after });
    seen.push(...ids(p));
    if (!p.pageInfo.hasNextPage) return seen;
    after = p.pageInfo.endCursor;
    await between();
  }
}

describe.each(testDatabases())('jobsConnection on $name', (db) => {
  const server = serverForSuite(db, { API_TOKENS: TOKENS, ...NO_RATE_LIMITS });

  it(
    'paging through 10,000 jobs while 1,000 are inserted at the head returns every original exactly once',
    { timeout: 180_000 },
    async () => {
      const s = server();
      await data(s, 'mutation { pauseQueue(name: "conn") { name } }');
      const originals = await createJobs(s, 'conn', 'conn.walk', 10_000);
      let inserted = 0;
      const seen = await walkForward(s, { f: { taskName: 'conn.walk' }, first: 100 }, async () => {
        // Ten new jobs land at the head of the newest-first list before each next page.
        if (inserted < 1000) inserted += (await createJobs(s, 'conn', 'conn.walk', 10)).length;
      });
      expect(inserted).toBe(990);
      expect(seen.length).toBe(10_000);
      expect(new Set(seen).size).toBe(10_000);
      expect([...seen].sort()).toEqual([...originals].sort());
      // Newest first: descending ids (the batches share createdAt, so id breaks every tie).
      expect(seen).toEqual([...originals].sort((a, b) => Number(b) - Number(a)));

      const total = await data(s, '{ jobsConnection(filter: { taskName: "conn.walk" }, first: 1) { totalCount } }');
      expect(total.jobsConnection.totalCount).toBe(10_990);
    },
  );

  it('PRIORITY_DESC pages forward and backward in the order of the full sort', { timeout: 60_000 }, async () => {
    const s = server();
    await data(s, 'mutation { pauseQueue(name: "conn") { name } }');
    const levels = ['LOW', 'MEDIUM', 'HIGH'];
    const created = await createJobs(s, 'conn', 'conn.prio', 250, (i) => levels[i % 3]);
    expect(created.length).toBe(250);
    const all = (
      await data(
        s,
        '{ jobsConnection(filter: { taskName: "conn.prio" }, sort: PRIORITY_DESC, first: 100) { edges { node { id priority } } } }',
      )
    ).jobsConnection.edges.map((e: any) => e.node);
    expect(all.slice(0, 83).every((j: any) => j.priority === 'HIGH')).toBe(true);

    const vars = { f: { taskName: 'conn.prio' }, s: 'PRIORITY_DESC' };
    const forward = await walkForward(s, { ...vars, first: 7 });
    expect(forward.length).toBe(250);
    expect(forward.slice(0, 100)).toEqual(all.map((j: any) => j.id));
    // HIGH first, then MEDIUM, then LOW; inside one priority the batch shares createdAt: id descending.
    const expected = [2, 1, 0].flatMap((p) => created.filter((_, i) => i % 3 === p).sort((a, b) => Number(b) - Number(a)));
    expect(forward).toEqual(expected);

    const backward: string[] = [];
    let before: string | null = null;
    for (;;) {
      const p = await page(s, { ...vars, last: 9, before });
      backward.unshift(...ids(p));
      // The last page has nothing after it; every earlier one has the pages already read.
      expect(p.pageInfo.hasNextPage).toBe(before !== null);
      if (!p.pageInfo.hasPreviousPage) break;
      before = p.pageInfo.startCursor;
    }
    expect(backward).toEqual(forward);
  });

  it('pageInfo at both ends, a window between two cursors, and a deleted cursor job', async () => {
    const s = server();
    await data(s, 'mutation { pauseQueue(name: "conn") { name } }');
    const created = (await createJobs(s, 'conn', 'conn.ends', 10)).sort((a, b) => Number(a) - Number(b));
    const vars = { f: { taskName: 'conn.ends' }, s: 'CREATED_AT_ASC' };

    const head = await page(s, { ...vars, first: 4 });
    expect(ids(head)).toEqual(created.slice(0, 4));
    expect(head.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    expect(head.pageInfo.startCursor).toBe(head.edges[0].cursor);
    expect(head.pageInfo.endCursor).toBe(head.edges[3].cursor);

    const tail = await page(s, { ...vars, first: 10, after: head.pageInfo.endCursor });
    expect(ids(tail)).toEqual(created.slice(4));
    expect(tail.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });

    const between = await page(s, { ...vars, after: head.edges[1].cursor, before: tail.edges[2].cursor });
    expect(ids(between)).toEqual(created.slice(2, 6));
    expect(between.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });

    // The job a cursor points at is gone: the next page still starts right after where it was.
    await data(s, 'mutation($id: ID!) { deleteJob(id: $id) }', { id: created[3] });
    const resumed = await page(s, { ...vars, first: 2, after: head.pageInfo.endCursor });
    expect(ids(resumed)).toEqual(created.slice(4, 6));

    const empty = await page(s, { f: { taskName: 'conn.none' } });
    expect(empty).toEqual({ edges: [], pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null } });

    // Read-only: a viewer pages too.
    const asViewer = await data(s, PAGE, { ...vars, first: 3 }, viewer);
    expect(ids(asViewer.jobsConnection)).toEqual(created.slice(0, 3));
  });

  it('first prices the edges in the operation cost limit, as limit does for jobs', async () => {
    const s = server();
    const logs = 'webhookLogs { id jobId url requestBody responseStatus responseBody attempt error durationMs createdAt }';
    const deep = (first: number) => `{ jobsConnection(first: ${first}) { edges { node { a: ${logs} b: ${logs} c: ${logs} } } } }`;
    // 100 edges × 10 assumed logs × 30 fields is over the 20,000 cost limit; 5 edges are not.
    const refused = await s.gql(deep(100), {}, admin);
    expect(refused.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(refused.errors?.[0].message).toMatch(/too expensive/);
    const allowed = await s.gql(deep(5), {}, admin);
    expect(allowed.errors).toBeUndefined();
  });

  it('bad sizes and cursors are BAD_USER_INPUT naming the argument', async () => {
    const s = server();
    const cursorOf = async (sort: string) =>
      (await data(s, `{ jobsConnection(sort: ${sort}, first: 1) { pageInfo { endCursor } } }`)).jobsConnection.pageInfo.endCursor;
    await createJobs(s, 'conn', 'conn.bad', 1);
    const otherSort = await cursorOf('UPDATED_AT_DESC');
    const forged = Buffer.from(JSON.stringify({ s: 'CREATED_AT_DESC', k: ['not a time'], i: 1 })).toString('base64url');
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ first: 2, last: 2 }, 'last', /first or last, not both/],
      [{ first: 0 }, 'first', /1\.\.100/],
      [{ first: 101 }, 'first', /1\.\.100/],
      [{ last: -1 }, 'last', /1\.\.100/],
      [{ after: 'nope' }, 'after', /cursor/],
      [{ before: otherSort }, 'before', /belongs to sort UPDATED_AT_DESC/],
      [{ after: forged }, 'after', /created_at is not a time/],
      [{ after: Buffer.from('[1,2]').toString('base64url') }, 'after', /cursor/],
    ];
    for (const [vars, field, message] of cases) {
      const res = await s.gql(PAGE, vars, admin);
      expect(res.status).toBeLessThan(500);
      expect(res.errors?.[0].extensions, JSON.stringify(vars)).toMatchObject({ code: 'BAD_USER_INPUT', field });
      expect(res.errors?.[0].message).toMatch(message);
    }
  });
});
