import type { Em } from '../db/orm.js';
import { dialectOf, fromDbTime, insertRows, jsonColumnReader, placeholders, query, run, toDbTime } from '../db/sql.js';
import type { JobLogLevel, JobLogLine } from './job-log.entity.js';

/** What one job holds in `job_logs` now, to continue its numbering and enforce its limits. */
export interface StoredLog {
  /** Lowest and highest seq of its lines (0 when it has none); seq 0 is the marker. */
  firstSeq: number;
  lastSeq: number;
  bytes: number;
  dropped: number;
}

export const lineBytes = (message: string, data: string | null): number =>
  Buffer.byteLength(message) + (data ? Buffer.byteLength(data) : 0);

/** Bytes of a text column: MySQL's length() counts bytes, SQLite's counts characters unless given a blob. */
const bytesOf = (em: Em, column: string) => (dialectOf(em) === 'sqlite' ? `length(cast(${column} as blob))` : `length(${column})`);

export async function storedLogs(em: Em, jobIds: readonly number[]): Promise<Map<number, StoredLog>> {
  const out = new Map<number, StoredLog>();
  if (jobIds.length === 0) return out;
  const rows = await query<{ job_id: number; first: number | null; last: number | null; bytes: number | null }>(
    em,
    `select job_id, min(seq) as first, max(seq) as last, sum(${bytesOf(em, 'message')} + coalesce(${bytesOf(em, 'data')}, 0)) as bytes
       from job_logs where job_id in (${placeholders(jobIds.length)}) and seq > 0 group by job_id`,
    jobIds,
  );
  for (const id of jobIds) out.set(id, { firstSeq: 0, lastSeq: 0, bytes: 0, dropped: 0 });
  for (const r of rows) {
    Object.assign(out.get(Number(r.job_id))!, {
      firstSeq: Number(r.first ?? 0),
      lastSeq: Number(r.last ?? 0),
      bytes: Number(r.bytes ?? 0),
    });
  }
  const json = jsonColumnReader(em);
  const markers = await query<{ job_id: number; data: unknown }>(
    em,
    `select job_id, data from job_logs where job_id in (${placeholders(jobIds.length)}) and seq = 0`,
    jobIds,
  );
  for (const m of markers) out.get(Number(m.job_id))!.dropped = Number((json(m.data) as { dropped?: number } | null)?.dropped ?? 0);
  return out;
}

export interface NewLogLine {
  jobId: number;
  seq: number;
  at: Date;
  level: JobLogLevel;
  message: string;
  /** JSON text, or null. */
  data: string | null;
}

export async function insertLogLines(em: Em, lines: readonly NewLogLine[]): Promise<void> {
  const dialect = dialectOf(em);
  await insertRows(
    em,
    'job_logs',
    ['job_id', 'seq', 'at', 'level', 'message', 'data'],
    lines.map((l) => [l.jobId, l.seq, toDbTime(dialect, l.at), l.level, l.message, l.data]),
  );
}

/** Sizes of a job's oldest lines, for trimming to the byte limit. */
export async function oldestLineSizes(em: Em, jobId: number, fromSeq: number, limit: number): Promise<{ seq: number; bytes: number }[]> {
  const rows = await query<{ seq: number; bytes: number }>(
    em,
    `select seq, ${bytesOf(em, 'message')} + coalesce(${bytesOf(em, 'data')}, 0) as bytes from job_logs where job_id = ? and seq >= ? order by seq limit ?`,
    [jobId, Math.max(1, fromSeq), limit],
  );
  return rows.map((r) => ({ seq: Number(r.seq), bytes: Number(r.bytes) }));
}

/** Drops a job's lines before `beforeSeq` and writes the marker that counts every line dropped so far. */
export async function dropOldest(em: Em, jobId: number, beforeSeq: number, dropped: number, message: string, at: Date): Promise<void> {
  const dialect = dialectOf(em);
  await run(em, 'delete from job_logs where job_id = ? and seq > 0 and seq < ?', [jobId, beforeSeq]);
  const data = JSON.stringify({ dropped });
  const changed = await run(em, 'update job_logs set message = ?, data = ?, at = ? where job_id = ? and seq = 0', [
    message,
    data,
    toDbTime(dialect, at),
    jobId,
  ]);
  if (changed === 0) {
    await insertLogLines(em, [{ jobId, seq: 0, at, level: 'WARN' as JobLogLevel, message, data }]);
  }
}

/** A job's lines after `after` (a seq), in order; the marker (seq 0) comes first when it exists. */
export async function readLogLines(em: Em, jobId: number, after: number | null, limit: number): Promise<JobLogLine[]> {
  const json = jsonColumnReader(em);
  const rows = await query<Record<string, unknown>>(
    em,
    `select id, job_id, seq, at, level, message, data from job_logs where job_id = ? and seq > ? order by seq limit ?`,
    [jobId, after ?? -1, limit],
  );
  return rows.map((r) => ({
    id: Number(r.id),
    jobId: Number(r.job_id),
    seq: Number(r.seq),
    at: fromDbTime(r.at)!,
    level: String(r.level) as JobLogLevel,
    message: String(r.message),
    data: json(r.data) ?? null,
  }));
}
