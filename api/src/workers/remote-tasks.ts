import type { Orm } from '../db/orm.js';
import type { Log } from '../log.js';
import type { TaskCatalog } from '../tasks/catalog.js';
import type { TaskDefaults } from '../tasks/task.js';
import { readWorkers, type RemoteTaskAnnouncement } from './worker-rows.sql.js';

/** A remote task without a queue of its own waits here, where local workers never claim. */
export const REMOTE_QUEUE = 'remote';

/** How often a process may re-read the announcements when asked for a task it does not know. */
const MISS_REFRESH_MS = 250;

/**
 * The tasks remote workers announced, kept in this process's catalog: read from the workers table
 * (every process sees every registration), again at once after a registration here, on a name this
 * process does not know (at most every MISS_REFRESH_MS) and on the presence timer.
 */
export class RemoteTasks {
  private readAt = -Infinity;
  private reading: Promise<void> | null = null;

  constructor(
    private readonly orm: Orm,
    private readonly catalog: TaskCatalog,
    /** Workers silent for longer than this are gone, and so are the tasks only they announced. */
    private readonly forgetAfterMs: number,
    private readonly log: Log,
  ) {}

  /** The queue a remote-only task's jobs go to when their input names none. */
  static queueOf(announcement: Pick<RemoteTaskAnnouncement, 'defaults'>): string {
    const queue = announcement.defaults?.queue;
    return typeof queue === 'string' ? queue : REMOTE_QUEUE;
  }

  /** Reads the announcements again now. */
  refresh(): Promise<void> {
    return (this.reading ??= this.read().finally(() => (this.reading = null)));
  }

  /** Reads again unless the last read is fresh (a listing of every task). */
  async fresh(): Promise<void> {
    if (Date.now() - this.readAt >= MISS_REFRESH_MS) await this.refresh();
  }

  /** Reads again when one of these names is unknown here and the last read is not fresh (creating jobs). */
  async ensureKnown(taskNames: readonly string[]): Promise<void> {
    if (!taskNames.every((name) => this.catalog.get(name))) await this.fresh();
  }

  private async read(): Promise<void> {
    const startedAt = Date.now();
    const workers = await readWorkers(this.orm.em.fork(), new Date(startedAt - this.forgetAfterMs));
    // Oldest registration first: a later one's announcement of the same task replaces it.
    const latest = new Map<string, RemoteTaskAnnouncement>();
    for (const worker of workers) {
      if (worker.kind !== 'REMOTE') continue;
      for (const task of worker.tasks) if (typeof task === 'object') latest.set(task.name, task);
    }
    const tasks = [];
    for (const task of latest.values()) {
      try {
        const check = task.payloadSchema === null ? undefined : this.catalog.compileSchema(task.payloadSchema);
        const defaults = { ...(task.defaults as TaskDefaults | null), queue: RemoteTasks.queueOf(task) };
        tasks.push({
          definition: { name: task.name, description: task.description ?? undefined, payload: task.payloadSchema ?? undefined, defaults },
          check,
        });
      } catch (error) {
        // registerWorker compiled it before storing it; a schema another version accepted is skipped, not fatal.
        this.log.warn({ err: error, taskName: task.name }, 'a remote task has a payload schema this process cannot compile; skipped');
      }
    }
    this.catalog.setRemote(tasks);
    this.readAt = startedAt;
  }
}
