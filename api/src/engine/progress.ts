import type { Orm } from '../db/orm.js';
import { isDatabaseUnavailable } from '../db/unavailable.js';
import type { Job } from '../jobs/job.entity.js';
import { copyJob } from '../jobs/job-record.js';
import type { JobEvents } from '../jobs/job.events.js';
import type { Log } from '../log.js';
import { BatchWriter } from '../loop/batch-writer.js';
import { writeProgress, type ProgressWrite } from './sql/progress.js';

const MAX_BATCH = 200;

/**
 * Handlers may report progress as often as they like: reports wait per job and only the latest
 * value is written, in batches, so a chatty handler cannot flood the database — and during an outage
 * the writer backs off holding one value per job.
 */
export class ProgressWriter {
  private readonly writer: BatchWriter<ProgressWrite & { job: Job }, boolean>;

  constructor(orm: Orm, owner: string, events: JobEvents, log: Log) {
    this.writer = new BatchWriter({
      name: 'job progress',
      log,
      maxBatch: MAX_BATCH,
      isTransient: isDatabaseUnavailable,
      keyOf: (w) => w.id,
      write: async (writes) => {
        const written = await writeProgress(orm, owner, writes);
        writes.forEach((w, i) => {
          if (!written[i]) return;
          Object.assign(w.job, { progress: w.progress, updatedAt: w.at });
          try {
            events.updated(copyJob(w.job));
          } catch (error) {
            log.error({ err: error, jobId: w.id }, 'publishing a job update failed');
          }
        });
        return written;
      },
    });
  }

  /** A handler's report (0..1; anything else is ignored). */
  report(job: Job, share: number): void {
    if (typeof share !== 'number' || !Number.isFinite(share)) return;
    const progress = Math.min(1, Math.max(0, share));
    // A value that cannot be written is dropped: the next report or the end state follows.
    this.writer.write({ id: job.id, job, progress, at: new Date() }).catch(() => {});
  }

  /** Before a job's end state: its waiting report is dropped and a write under way is waited for, so the end is never overtaken. */
  settle(job: Job): Promise<void> {
    return this.writer.forget(job.id, false);
  }

  close(): Promise<void> {
    return this.writer.close();
  }
}
