import type { Orm } from '../db/orm.js';
import { BadUserInputError } from '../graphql/errors.js';
import { endedLastMinute } from '../jobs/throughput.sql.js';
import { checkLimit, checkRate } from './limit-input.js';
import { checkQueueName, DEFAULT_QUEUE } from './queue-name.js';
import {
  countByQueue,
  oldestDueRunAt,
  readAllSettings,
  readSettings,
  recentWaits,
  unlimited,
  writePaused,
  writeSettings,
  type QueueSettings,
} from './queue-state.sql.js';
import { QueueRegistry } from './queue-registry.js';
import type { QueueInfo, UpdateQueueInput } from './queue.types.js';
import type { RetentionInput } from '../retention/retention.types.js';
import { parseDuration } from '../retention/duration.js';
import type { QueueRetention } from './queue-state.sql.js';

const WAIT_SAMPLE = 500;
const MAX_LIMIT = 100_000;

/**
 * Named queues: pause and resume, cluster-wide limits, and how busy each is; stored in queue_state so
 * every worker process obeys them. Workers in this process hear a change at once, others within one
 * poll interval.
 */
export class QueueService {
  private readonly listeners = new Set<() => void>();
  /** Creating jobs and schedules registers their queue names through this. */
  readonly registry: QueueRegistry;

  constructor(
    private readonly orm: Orm,
    private readonly concurrency: number,
  ) {
    this.registry = new QueueRegistry(orm);
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async list(): Promise<QueueInfo[]> {
    const em = this.orm.em.fork();
    const settings = await readAllSettings(em);
    const counts = await countByQueue(em, null);
    // Jobs of a queue with no row (written before it had one) still show.
    for (const name of counts.keys()) if (!settings.some((s) => s.name === name)) settings.push(unlimited(name));
    settings.sort((a, b) => (a.name === DEFAULT_QUEUE ? -1 : b.name === DEFAULT_QUEUE ? 1 : a.name.localeCompare(b.name)));
    return settings.map((s) => this.describe(s, counts));
  }

  /** One queue; a name nobody used yet answers as an empty queue without limits. */
  async info(name: string = DEFAULT_QUEUE): Promise<QueueInfo> {
    const em = this.orm.em.fork();
    const settings = (await readSettings(em, name)) ?? unlimited(name);
    return this.describe(settings, await countByQueue(em, [name]));
  }

  async update(nameInput: unknown, input: UpdateQueueInput): Promise<QueueInfo> {
    const name = checkQueueName('name', nameInput);
    const em = this.orm.em.fork();
    const current = (await readSettings(em, name)) ?? unlimited(name);
    const next: QueueSettings = { ...current };
    if (input.concurrencyLimit !== undefined)
      next.concurrencyLimit = checkLimit('input.concurrencyLimit', input.concurrencyLimit, MAX_LIMIT);
    if (input.keyConcurrency !== undefined) next.keyConcurrency = checkLimit('input.keyConcurrency', input.keyConcurrency, MAX_LIMIT);
    if (input.rateLimit !== undefined) next.rateLimit = checkRate('input.rateLimit', input.rateLimit);
    if (input.paused !== undefined && input.paused !== null) next.paused = input.paused;
    if (input.retention !== undefined) next.retention = ownRetention(current.retention, input.retention);
    await writeSettings(em, next);
    this.registry.remember(name);
    this.changed();
    return this.info(name);
  }

  /** Pauses one queue, or with no name every queue; answers for that queue (or `default`). */
  async pause(name?: string | null): Promise<QueueInfo> {
    return this.setPaused(true, name);
  }

  async resume(name?: string | null): Promise<QueueInfo> {
    return this.setPaused(false, name);
  }

  private async setPaused(paused: boolean, nameInput: string | null | undefined): Promise<QueueInfo> {
    const name = nameInput === undefined || nameInput === null ? null : checkQueueName('name', nameInput);
    await writePaused(this.orm.em.fork(), paused, name);
    if (name) this.registry.remember(name);
    this.changed();
    return this.info(name ?? DEFAULT_QUEUE);
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }

  /** Settings and counts; the fields that cost a query each are the resolver's, read only when asked for. */
  private describe(s: QueueSettings, counts: Map<string, QueueInfo['counts']>): QueueInfo {
    const c = counts.get(s.name) ?? { pending: 0, running: 0, completed: 0, failed: 0, cancelled: 0, total: 0 };
    return {
      name: s.name,
      paused: s.paused,
      concurrency: this.concurrency,
      running: c.running,
      pending: c.pending,
      concurrencyLimit: s.concurrencyLimit,
      rateLimit: s.rateLimit,
      keyConcurrency: s.keyConcurrency,
      ownRetention: s.retention,
      counts: c,
    };
  }

  /** How long the queue's oldest due PENDING job has waited, in ms; null when none is due. */
  async oldestPendingWaitMs(name: string): Promise<number | null> {
    const now = new Date();
    const oldest = await oldestDueRunAt(this.orm.em.fork(), name, now);
    return oldest ? Math.max(0, now.getTime() - oldest.getTime()) : null;
  }

  throughputPerMinute(name: string): Promise<number> {
    return endedLastMinute(this.orm.em.fork(), name, new Date());
  }

  /** Wait from due to start of the queue's newest started jobs: median and 95th percentile, in ms. */
  async waitPercentiles(name: string): Promise<{ p50: number | null; p95: number | null }> {
    const waits = await recentWaits(this.orm.em.fork(), name, WAIT_SAMPLE);
    return { p50: percentile(waits, 0.5), p95: percentile(waits, 0.95) };
  }
}

/** A queue's retention after an update: null clears every status, a status left out stays, null clears one. */
function ownRetention(current: QueueRetention, input: RetentionInput | null): QueueRetention {
  if (input === null) return { COMPLETED: null, FAILED: null, CANCELLED: null };
  const period = (field: 'completed' | 'failed' | 'cancelled', was: number | null): number | null => {
    const raw = input[field];
    if (raw === undefined) return was;
    if (raw === null) return null;
    const ms = parseDuration(raw);
    if (typeof ms === 'string') throw new BadUserInputError(`input.retention.${field}`, ms);
    return ms;
  };
  return {
    COMPLETED: period('completed', current.COMPLETED),
    FAILED: period('failed', current.FAILED),
    CANCELLED: period('cancelled', current.CANCELLED),
  };
}

/** Nearest-rank percentile, or null without samples. */
function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]);
}
