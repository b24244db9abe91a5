import { Topic, type EventBus } from './pubsub.js';

/** What a worker process's runner offers: wake when a job becomes due. */
interface Wakeable {
  notifyAt(when: Date, queue?: string): void;
}

/**
 * A worker process hears of jobs other processes create (an API process, another worker's schedule)
 * through the event bus when it is Redis, instead of finding them at its next poll: the job starts a
 * round trip after its creation rather than up to WORKER_POLL_MS later. Only creations: every other
 * job event would cost each worker a message per transition, and runJob's re-queue is found by polling.
 */
export function wakeOnJobsCreated(bus: EventBus, runner: Wakeable): { stop(): Promise<void> } {
  const stream = bus.subscribe(Topic.JOB_CREATED);
  const done = (async () => {
    for await (const job of stream) {
      if (job.status !== 'PENDING') continue;
      const runAt = job.runAt instanceof Date ? job.runAt : new Date(String(job.runAt));
      if (!Number.isNaN(runAt.getTime())) runner.notifyAt(runAt, typeof job.queue === 'string' ? job.queue : undefined);
    }
  })().catch(() => {
    // The bus closed under it: nothing to wake any more.
  });
  return {
    async stop() {
      await stream.return?.();
      await done;
    },
  };
}
