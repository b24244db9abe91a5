import type { Orm } from '../db/orm.js';
import type { Job } from '../jobs/job.entity.js';
import { copyJob } from '../jobs/job-record.js';
import type { JobEvents } from '../jobs/job.events.js';
import type { EngineLog } from '../log.js';
import { writeProgress } from './sql/progress.js';

/**
 * A handler may report progress as often as it likes: one write is in flight per job at a time and
 * only the latest value is written next, so a chatty handler cannot flood the database.
 */
export class ProgressReporter {
  private latest: number | null = null;
  private writing: Promise<void> | null = null;

  constructor(
    private readonly job: Job,
    private readonly orm: Orm,
    private readonly owner: string,
    private readonly events: JobEvents,
    private readonly log: EngineLog,
  ) {}

  report(share: number): void {
    if (typeof share !== 'number' || !Number.isFinite(share)) return;
    const clamped = Math.min(1, Math.max(0, share));
    if (clamped === this.job.progress && this.latest === null) return;
    this.latest = clamped;
    this.writing ??= this.flush().finally(() => (this.writing = null));
  }

  /** Waits for the write in flight, so the end state is never overtaken by a late progress write. */
  async settle(): Promise<void> {
    this.latest = null;
    while (this.writing) await this.writing;
  }

  private async flush(): Promise<void> {
    while (this.latest !== null) {
      const share = this.latest;
      this.latest = null;
      const at = new Date();
      try {
        if (!(await writeProgress(this.orm, this.owner, this.job.id, share, at))) return;
        Object.assign(this.job, { progress: share, updatedAt: at });
        this.events.updated(copyJob(this.job));
      } catch (error) {
        this.log.warn({ err: error, jobId: this.job.id }, 'writing job progress failed');
      }
    }
  }
}
