import { hostname } from 'node:os';
import type { Orm } from '../db/orm.js';
import type { Log } from '../log.js';
import { every } from '../loop/poll-loop.js';
import { deleteWorker, touchWorkers, upsertWorker } from './worker-rows.sql.js';

export interface LocalPresenceOptions {
  orm: Orm;
  log: Log;
  /** The runner's lease owner: its RUNNING jobs carry it. */
  id: string;
  queues: readonly string[];
  tasks: () => string[];
  concurrency: number;
  leaseMs: number;
  version: string | null;
}

/**
 * This process's runner in the `workers` list: registered at start, a heartbeat every third of a
 * lease (a SIGKILLed process shows as lost one lease later), removed at a graceful stop.
 */
export class LocalPresence {
  private stopTimer: (() => Promise<void>) | null = null;

  constructor(private readonly options: LocalPresenceOptions) {}

  async start(): Promise<void> {
    const { orm, id, queues, tasks, concurrency, leaseMs, version, log } = this.options;
    const now = new Date();
    const host = hostname().slice(0, 255);
    await upsertWorker(orm.em.fork(), {
      id,
      name: `${host} (pid ${process.pid})`,
      host,
      kind: 'LOCAL',
      queues: [...queues],
      tasks: tasks(),
      concurrency,
      leaseMs,
      version,
      startedAt: now,
      lastHeartbeatAt: now,
    });
    this.stopTimer = every(Math.floor(leaseMs / 3), 'worker heartbeat', log, async () => {
      await touchWorkers(orm.em.fork(), [id], new Date());
    });
  }

  async stop(): Promise<void> {
    await this.stopTimer?.();
    try {
      await deleteWorker(this.options.orm.em.fork(), this.options.id);
    } catch (error) {
      this.options.log.warn({ err: error }, 'removing this worker from the workers list failed; it shows as lost, then goes');
    }
  }
}
