import type { JobStatus } from '#lib/graphql/generated/graphql.ts';
import type { ToastState } from '#lib/state/toasts.svelte.ts';

const FLUSH_MS = 1_500;

/**
 * Toasts for jobs that finish while the dashboard is open. Many jobs finish per second on a busy queue,
 * so finishes are gathered for 1.5 s and told in one toast ("12 jobs completed, 1 failed").
 */
export class FinishedJobsNotifier {
  #last = new Map<string, JobStatus>();
  #completed: { id: string; taskName: string }[] = [];
  #failed: { id: string; taskName: string }[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly toasts: Pick<ToastState, 'success' | 'error'>) {}

  seen(job: { id: string; taskName: string; status: JobStatus }): void {
    const before = this.#last.get(job.id);
    this.#last.set(job.id, job.status);
    if (before === job.status) return;
    if (job.status === 'COMPLETED') this.#completed.push(job);
    else if (job.status === 'FAILED') this.#failed.push(job);
    else return;
    this.#timer ??= setTimeout(() => this.#flush(), FLUSH_MS);
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #flush(): void {
    this.#timer = undefined;
    const [completed, failed] = [this.#completed, this.#failed];
    this.#completed = [];
    this.#failed = [];
    if (completed.length + failed.length === 1) {
      const job = completed[0] ?? failed[0];
      const text = `Job #${job.id} (${job.taskName}) ${completed.length ? 'completed' : 'failed'}`;
      if (completed.length) this.toasts.success(text);
      else this.toasts.error(text);
      return;
    }
    const parts = [completed.length && `${completed.length} completed`, failed.length && `${failed.length} failed`].filter(Boolean);
    const text = `Jobs finished: ${parts.join(', ')}`;
    if (failed.length) this.toasts.error(text);
    else this.toasts.success(text);
  }
}
