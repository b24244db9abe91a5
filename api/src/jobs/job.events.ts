import type { Job } from './job.entity.js';

/** What the jobs domain announces after a commit; pub/sub and the worker's wake-up listen. */
export interface JobEvents {
  created(jobs: readonly Job[]): void;
  updated(job: Job): void;
}

export const silentJobEvents: JobEvents = { created() {}, updated() {} };
