import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';

/**
 * A queue's shared settings, read by every worker process: pause and the cluster-wide limits. Every
 * queue that has jobs has a row (written when its first job is created), so workers serving "all
 * queues" know the names without scanning jobs. A null limit is no limit.
 */
@Entity({ tableName: 'queue_state' })
export class QueueState {
  @PrimaryKey({ type: 'string', length: 64 })
  name!: string;

  @Property({ type: 'boolean', default: false })
  paused = false;

  /** Jobs of the queue RUNNING at once, across every worker. */
  @Property({ type: 'integer', nullable: true })
  concurrencyLimit?: number | null;

  /** At most `rateMax` starts in any window of `ratePerMs` (sliding), across every worker. */
  @Property({ type: 'integer', nullable: true })
  rateMax?: number | null;

  @Property({ type: 'integer', nullable: true })
  ratePerMs?: number | null;

  /** Jobs of one concurrencyKey RUNNING at once in the queue, across every worker. */
  @Property({ type: 'integer', nullable: true })
  keyConcurrency?: number | null;

  /** Retention of the queue's COMPLETED jobs in ms (0: kept forever); null: RETENTION_COMPLETED. */
  @Property({ type: 'bigint', nullable: true })
  retentionCompletedMs?: string | null;

  @Property({ type: 'bigint', nullable: true })
  retentionFailedMs?: string | null;

  @Property({ type: 'bigint', nullable: true })
  retentionCancelledMs?: string | null;

  /** Set by a remote worker's registration for the queues of tasks only remote workers run: local workers leave it alone. */
  @Property({ type: 'boolean', default: false })
  remote = false;

  @Property({ type: 'datetime', length: 3, onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}

/**
 * The rate limit's ledger: how many jobs of a rate-limited queue were admitted to start at an
 * instant, one row per claim. Written and read only under the queue's row lock; rows older than the
 * queue's window are deleted by the claims themselves.
 */
@Entity({ tableName: 'queue_starts' })
@Index({ name: 'queue_starts_queue_at_idx', properties: ['queue', 'at'] })
export class QueueStart {
  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @Property({ type: 'string', length: 64 })
  queue!: string;

  @Property({ type: 'datetime', length: 3 })
  at!: Date;

  @Property({ type: 'integer' })
  jobs!: number;
}
