import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';

/**
 * Jobs of one queue that ended COMPLETED or finally FAILED in one minute, counted as they end (in the transaction
 * that writes their end state), so the throughput chart reads at most a few rows per minute instead
 * of every end in its window. Each worker process adds to its own shard: finish transactions of
 * different processes never wait for one another's counter row.
 */
@Entity({ tableName: 'job_throughput' })
export class ThroughputMinute {
  @PrimaryKey({ type: 'datetime', length: 3 })
  minute!: Date;

  @PrimaryKey({ type: 'string', length: 64, default: 'default' })
  queue!: string;

  @PrimaryKey({ type: 'string', length: 16 })
  status!: string;

  @PrimaryKey({ type: 'smallint' })
  shard!: number;

  @Property({ type: 'integer' })
  jobs!: number;
}
