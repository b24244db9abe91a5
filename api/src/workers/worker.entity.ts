import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';

/**
 * A worker process, local (this product's runner) or remote (a service that registered over
 * GraphQL): what it serves and when it last showed signs of life. Rows are written by hand
 * (workers/worker-rows.sql.ts); a worker silent for 10 × LEASE_MS is deleted by the next registration.
 */
@Entity({ tableName: 'workers' })
@Index({ name: 'workers_heartbeat_idx', properties: ['lastHeartbeatAt'] })
export class WorkerRow {
  @PrimaryKey({ type: 'string', length: 64 })
  id!: string;

  @Property({ type: 'string', length: 255 })
  name!: string;

  @Property({ type: 'string', length: 255 })
  host!: string;

  /** LOCAL or REMOTE. */
  @Property({ type: 'string', length: 8 })
  kind!: string;

  /** The queue names it claims from. */
  @Property({ type: 'json' })
  queues!: string[];

  /** The tasks it runs: names for a local worker, the announcements (schema, defaults) for a remote one. */
  @Property({ type: 'json' })
  tasks!: unknown[];

  @Property({ type: 'integer' })
  concurrency!: number;

  /** The lease its last claim asked for; renewals extend by as much. */
  @Property({ type: 'integer' })
  leaseMs!: number;

  @Property({ type: 'string', length: 64, nullable: true })
  version?: string | null;

  @Property({ type: 'datetime', length: 3 })
  startedAt!: Date;

  @Property({ type: 'datetime', length: 3 })
  lastHeartbeatAt!: Date;
}
