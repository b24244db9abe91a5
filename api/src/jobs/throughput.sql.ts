import type { Em } from '../db/orm.js';
import { dialectOf, executeBound, fromDbTime, query, run, toDbTime, type BoundValue } from '../db/sql.js';
import { isFinal } from '../jobs/job-record.js';
import type { Job } from './job.entity.js';
import type { JobStatus } from './job.enums.js';

export const MINUTE_MS = 60_000;

/** The longest window the chart may ask for; counters older than it are deleted. */
export const THROUGHPUT_MAX_MINUTES = 24 * 60;

/**
 * The counter rows this process adds to. Shards keep finish transactions of different worker processes
 * off each other's rows (a shared row would make them commit one after another); two processes on one
 * shard only wait for each other, the sums stay right.
 */
const SHARDS = 16;
const PROCESS_SHARD = process.pid % SHARDS;

export interface ThroughputRow {
  minute: Date;
  status: JobStatus;
  n: number;
}

const minuteOf = (d: Date) => Math.floor(d.getTime() / MINUTE_MS) * MINUTE_MS;

let prunedAt = 0;

/**
 * A finish hook: adds the jobs that ended COMPLETED or finally FAILED to their minute's counters, in
 * the transaction that writes their end states, so a count commits or rolls back with its job. A job
 * run again is counted at each end. One statement per finish batch (which holds up to hundreds of
 * jobs); counters older than the longest window go at most once a minute per process.
 */
export async function recordEnds(em: Em, jobs: readonly Job[]): Promise<void> {
  const buckets = new Map<string, { minute: number; queue: string; status: JobStatus; n: number }>();
  for (const job of jobs) {
    if (!isFinal(job) || !job.completedAt) continue;
    const minute = minuteOf(job.completedAt);
    const key = `${minute} ${job.queue} ${job.status}`;
    const bucket = buckets.get(key);
    if (bucket) bucket.n++;
    else buckets.set(key, { minute, queue: job.queue, status: job.status, n: 1 });
  }
  if (buckets.size === 0) return;
  const dialect = dialectOf(em);
  // One lock order for every transaction: two finish batches on one shard cannot deadlock on counters.
  const rows = [...buckets.values()].sort(
    (a, b) => a.minute - b.minute || a.queue.localeCompare(b.queue) || a.status.localeCompare(b.status),
  );
  const params: BoundValue[] = rows.flatMap((r) => [toDbTime(dialect, new Date(r.minute)), r.queue, r.status, PROCESS_SHARD, r.n]);
  const values = rows.map(() => '(?, ?, ?, ?, ?)').join(', ');
  const add =
    dialect === 'sqlite'
      ? 'on conflict (minute, queue, status, shard) do update set jobs = jobs + excluded.jobs'
      : 'on duplicate key update jobs = jobs + values(jobs)';
  await executeBound(em, `insert into job_throughput (minute, queue, status, shard, jobs) values ${values} ${add}`, params);
  if (Date.now() - prunedAt >= MINUTE_MS) {
    prunedAt = Date.now();
    await pruneThroughput(em, new Date());
  }
}

/** Deletes counters older than the longest window the chart may ask for. */
export async function pruneThroughput(em: Em, now: Date): Promise<void> {
  const keepFrom = new Date(minuteOf(now) - THROUGHPUT_MAX_MINUTES * MINUTE_MS);
  await run(em, 'delete from job_throughput where minute < ?', [toDbTime(dialectOf(em), keepFrom)]);
}

/** Jobs that ended COMPLETED or (finally) FAILED per minute since `since`, summed over shards. */
export async function countEndedPerMinute(em: Em, since: Date): Promise<ThroughputRow[]> {
  const start = toDbTime(dialectOf(em), new Date(minuteOf(since)));
  const rows = await query<{ minute: unknown; status: JobStatus; n: number }>(
    em,
    'select minute, status, sum(jobs) as n from job_throughput where minute >= ? group by minute, status',
    [start],
  );
  return rows.map((r) => ({ minute: fromDbTime(r.minute)!, status: r.status, n: Number(r.n) }));
}

/**
 * Jobs of one queue that ended COMPLETED or FAILED in the last minute, estimated from the counters:
 * this minute's count plus the part of the previous minute's that the last 60 seconds still cover.
 */
export async function endedLastMinute(em: Em, queue: string, now: Date): Promise<number> {
  const current = minuteOf(now);
  const rows = await query<{ minute: unknown; n: unknown }>(
    em,
    'select minute, sum(jobs) as n from job_throughput where minute >= ? and queue = ? group by minute',
    [toDbTime(dialectOf(em), new Date(current - MINUTE_MS)), queue],
  );
  const covered = 1 - (now.getTime() - current) / MINUTE_MS;
  let total = 0;
  for (const row of rows) total += fromDbTime(row.minute)!.getTime() === current ? Number(row.n) : Number(row.n) * covered;
  return Math.round(total);
}
