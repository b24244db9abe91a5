import { fromDbTime } from '../../src/db/sql.js';
import { waitUntil } from './engine.js';
import type { TestServer } from './server.js';

/** Helpers for queue tests: set limits over GraphQL, then read each job's run back from its row. */

export async function gql(api: TestServer, query: string, variables: Record<string, unknown> = {}) {
  const res = await api.gql(query, variables);
  if (res.errors) throw new Error(JSON.stringify(res.errors));
  return res.data;
}

export const updateQueue = (api: TestServer, name: string, input: Record<string, unknown>) =>
  gql(api, 'mutation($n: String!, $in: UpdateQueueInput!) { updateQueue(name: $n, input: $in) { name } }', { n: name, in: input });

export async function createMany(api: TestServer, inputs: Record<string, unknown>[]): Promise<void> {
  for (let i = 0; i < inputs.length; i += 1000) {
    await gql(api, 'mutation($ins: [CreateJobInput!]!) { createJobs(inputs: $ins) { id } }', { ins: inputs.slice(i, i + 1000) });
  }
}

export const sql = async <T = any>(api: TestServer, text: string, params: unknown[] = []) =>
  (await api.orm.em.fork().getConnection().execute(text, params)) as T[];

export interface Run {
  id: number;
  key: string | null;
  status: string;
  start: number;
  end: number;
}

export async function runsOf(api: TestServer, queue: string): Promise<Run[]> {
  const rows = await sql(api, 'select id, concurrency_key, status, started_at, completed_at from jobs where queue = ? order by id', [
    queue,
  ]);
  return rows.map((r) => ({
    id: Number(r.id),
    key: r.concurrency_key ?? null,
    status: String(r.status),
    start: fromDbTime(r.started_at)?.getTime() ?? NaN,
    end: fromDbTime(r.completed_at)?.getTime() ?? NaN,
  }));
}

/** Waits until `n` jobs of the queue are COMPLETED, then reads its runs. */
export async function drained(api: TestServer, queue: string, n: number, timeoutMs: number): Promise<Run[]> {
  await waitUntil(
    `${n} jobs of ${queue} to complete`,
    async () => {
      const [row] = await sql(api, "select count(*) as n from jobs where queue = ? and status = 'COMPLETED'", [queue]);
      return Number(row.n) === n || null;
    },
    timeoutMs,
    100,
  );
  return runsOf(api, queue);
}

/** From the first start to the last end, in ms. */
export const drainSpan = (runs: readonly Run[]): number => Math.max(...runs.map((r) => r.end)) - Math.min(...runs.map((r) => r.start));

/** How much of `limit` slots the runs kept busy from the first start to the last end (1 = every slot, all the time). */
export const slotUse = (runs: readonly Run[], limit: number): number =>
  runs.reduce((sum, r) => sum + (r.end - r.start), 0) / (drainSpan(runs) * limit);

/** The most runs that overlap at any instant (an end and a start at the same millisecond do not). */
export function maxOverlap(runs: readonly Run[]): number {
  const events = runs.flatMap((r) => [
    { at: r.start, d: 1 },
    { at: r.end, d: -1 },
  ]);
  events.sort((a, b) => a.at - b.at || a.d - b.d);
  let now = 0;
  let most = 0;
  for (const e of events) most = Math.max(most, (now += e.d));
  return most;
}

/** The most starts inside any window of `ms` (sliding: each window begins at a start). */
export function maxStartsInWindow(starts: readonly number[], ms: number): number {
  const sorted = [...starts].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[j] < sorted[i] - ms + 1) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}
