import { Field, InputType, Int, ObjectType } from 'type-graphql';
import { JobStats } from '../jobs/job.types.js';
import { RetentionInput } from '../retention/retention.types.js';
import type { QueueRetention } from './queue-state.sql.js';

@ObjectType({ description: 'At most `max` jobs of the queue start in any window of `perMs` milliseconds' })
export class RateLimitInfo {
  @Field(() => Int)
  max!: number;

  @Field(() => Int)
  perMs!: number;
}

@ObjectType({ description: 'A named queue: its switches, its cluster-wide limits and how busy it is' })
export class QueueInfo {
  @Field(() => String)
  name!: string;

  @Field(() => Boolean, { description: 'Paused: no worker claims new jobs of it; running ones finish' })
  paused!: boolean;

  @Field(() => Int, { description: 'Jobs one worker process runs at a time (WORKER_CONCURRENCY)' })
  concurrency!: number;

  @Field(() => Int, { description: 'Jobs of the queue RUNNING now, across all workers' })
  running!: number;

  @Field(() => Int, { description: 'Jobs of the queue PENDING now (due or scheduled later)' })
  pending!: number;

  @Field(() => Int, { nullable: true, description: 'Jobs of the queue RUNNING at once across all workers; null: no limit' })
  concurrencyLimit!: number | null;

  @Field(() => RateLimitInfo, { nullable: true, description: 'Starts allowed per sliding window across all workers; null: no limit' })
  rateLimit!: RateLimitInfo | null;

  @Field(() => Int, { nullable: true, description: 'Jobs of one concurrencyKey RUNNING at once; null: no limit' })
  keyConcurrency!: number | null;

  /** Its own retention (null: the default); the resolver's `retention` field shows what is in force. */
  ownRetention!: QueueRetention;

  @Field(() => JobStats, { description: 'Jobs of the queue per status' })
  counts!: JobStats;

  // oldestPendingWaitMs, throughputPerMinute, waitP50Ms and waitP95Ms are QueueResolver's field
  // resolvers: a query each, run only when selected.
}

@InputType()
export class RateLimitInput {
  @Field(() => Int, { description: 'Starts per window, 1..1000000' })
  max!: number;

  @Field(() => Int, { description: 'Window in milliseconds, 1..86400000 (a day)' })
  perMs!: number;
}

/** Fields left out stay as they are; `null` clears a limit. */
@InputType()
export class UpdateQueueInput {
  @Field(() => Int, { nullable: true, description: 'Jobs RUNNING at once across all workers, 1..100000; null: no limit' })
  concurrencyLimit?: number | null;

  @Field(() => RateLimitInput, { nullable: true, description: 'null: no rate limit' })
  rateLimit?: RateLimitInput | null;

  @Field(() => Int, { nullable: true, description: 'Jobs of one concurrencyKey RUNNING at once, 1..100000; null: no limit' })
  keyConcurrency?: number | null;

  @Field(() => Boolean, { nullable: true })
  paused?: boolean | null;

  @Field(() => RetentionInput, {
    nullable: true,
    description: "How long the queue's finished jobs are kept; null: the RETENTION_* defaults",
  })
  retention?: RetentionInput | null;
}
