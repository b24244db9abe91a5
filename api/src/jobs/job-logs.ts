import type { Em, Orm } from '../db/orm.js';
import { isDatabaseUnavailable } from '../db/unavailable.js';
import type { Log } from '../log.js';
import { BatchWriter } from '../loop/batch-writer.js';
import type { TaskLog } from '../tasks/task.js';
import type { Job } from './job.entity.js';
import { JobLogLevel, type JobLogLine } from './job-log.entity.js';
import { dropOldest, insertLogLines, lineBytes, oldestLineSizes, storedLogs, type NewLogLine, type StoredLog } from './job-logs.sql.js';

/** Per job, across its runs: past these the oldest lines go and the marker line counts them. */
export const MAX_LOG_LINES = 1000;
export const MAX_LOG_BYTES = 256 * 1024;
/** One line's message and data are each cut at this many characters. */
const MAX_PART_CHARS = 16 * 1024;
const MAX_BATCH = 500;

export interface JobLogEvents {
  /** After the lines are written. */
  logged(lines: readonly JobLogLine[]): void;
}

/** One run's lines waiting to be written, with what the database holds for its job. */
interface RunLog {
  jobId: number;
  stored: StoredLog | null;
}

interface Pending {
  run: RunLog;
  level: JobLogLevel;
  message: string;
  data: string | null;
  at: Date;
}

function cut(text: string): string {
  return text.length > MAX_PART_CHARS ? `${text.slice(0, MAX_PART_CHARS)}…` : text;
}

function dataText(data: unknown): string | null {
  if (data === undefined) return null;
  try {
    const text = JSON.stringify(data);
    if (text === undefined) return null;
    return text.length > MAX_PART_CHARS ? JSON.stringify({ truncated: true, preview: text.slice(0, 1024) }) : text;
  } catch {
    return JSON.stringify({ unserializable: String(data) });
  }
}

/**
 * `ctx.log`: lines are stored per job in batches off the hot path (a job that logs nothing costs
 * nothing), published live after their commit, and kept to MAX_LOG_LINES / MAX_LOG_BYTES per job.
 */
export class JobLogWriter {
  private readonly writer: BatchWriter<Pending, void>;

  constructor(
    private readonly orm: Orm,
    private readonly events: JobLogEvents,
    private readonly log: Log,
  ) {
    this.writer = new BatchWriter({
      name: 'job log lines',
      log,
      maxBatch: MAX_BATCH,
      isTransient: isDatabaseUnavailable,
      write: (lines) => this.writeBatch(lines),
    });
  }

  /** The `ctx.log` of one run of `job`. */
  forRun(job: Job): TaskLog {
    const run: RunLog = { jobId: job.id, stored: null };
    const at = (level: JobLogLevel) => (message: string, data?: unknown) => {
      this.writer
        .write({ run, level, message: cut(typeof message === 'string' ? message : String(message)), data: dataText(data), at: new Date() })
        .catch((error: unknown) => this.log.warn({ err: error, jobId: job.id }, 'a job log line could not be written'));
    };
    return Object.assign(at(JobLogLevel.INFO), {
      debug: at(JobLogLevel.DEBUG),
      info: at(JobLogLevel.INFO),
      warn: at(JobLogLevel.WARN),
      error: at(JobLogLevel.ERROR),
    });
  }

  close(): Promise<void> {
    return this.writer.close();
  }

  private async writeBatch(pending: Pending[]): Promise<void[]> {
    const written = await this.orm.em.fork().transactional(async (tx) => {
      const em = tx as Em;
      const unknown = [...new Set(pending.filter((p) => !p.run.stored).map((p) => p.run))];
      if (unknown.length > 0) {
        const stored = await storedLogs(
          em,
          unknown.map((r) => r.jobId),
        );
        for (const run of unknown) run.stored = { ...stored.get(run.jobId)! };
      }
      // Numbered on copies: a batch that fails and is written again numbers its lines the same way.
      const state = new Map<RunLog, StoredLog>();
      for (const p of pending) if (!state.has(p.run)) state.set(p.run, { ...p.run.stored! });
      const lines: NewLogLine[] = pending.map((p) => {
        const s = state.get(p.run)!;
        s.lastSeq++;
        if (s.firstSeq === 0) s.firstSeq = s.lastSeq;
        s.bytes += lineBytes(p.message, p.data);
        return { jobId: p.run.jobId, seq: s.lastSeq, at: p.at, level: p.level, message: p.message, data: p.data };
      });
      await insertLogLines(em, lines);
      for (const [run, s] of state) await this.trim(em, run.jobId, s);
      for (const [run, s] of state) run.stored = s;
      return lines;
    });
    try {
      this.events.logged(written.map((l) => ({ ...l, id: 0, data: l.data === null ? null : (JSON.parse(l.data) as unknown) })));
    } catch (error) {
      this.log.error({ err: error }, 'publishing job log lines failed');
    }
    return pending.map(() => undefined);
  }

  /** Past a limit, the oldest lines go and the marker (seq 0) says how many went in all. */
  private async trim(em: Em, jobId: number, s: StoredLog): Promise<void> {
    let first = s.firstSeq;
    if (s.lastSeq - first + 1 <= MAX_LOG_LINES && s.bytes <= MAX_LOG_BYTES) return;
    const over = s.lastSeq - first + 1 - MAX_LOG_LINES;
    if (over > 0) {
      for (const line of await oldestLineSizes(em, jobId, first, over)) s.bytes -= line.bytes;
      first += over;
    }
    while (s.bytes > MAX_LOG_BYTES && first < s.lastSeq) {
      const sizes = await oldestLineSizes(em, jobId, first, 100);
      for (const line of sizes) {
        if (s.bytes <= MAX_LOG_BYTES || first >= s.lastSeq) break;
        s.bytes -= line.bytes;
        first = line.seq + 1;
      }
      if (sizes.length === 0) break;
    }
    s.dropped += first - s.firstSeq;
    s.firstSeq = first;
    const n = s.dropped;
    const message = `${n} earlier line${n === 1 ? ' was' : 's were'} dropped (a job keeps at most ${MAX_LOG_LINES} lines and ${MAX_LOG_BYTES / 1024} KiB)`;
    await dropOldest(em, jobId, first, n, message, new Date());
  }
}
