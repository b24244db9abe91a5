import { Entity, Index, PrimaryKey, Property, Unique } from '@mikro-orm/decorators/legacy';
import { OptionalProps } from '@mikro-orm/core';
import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { DateTimeScalar, JSONScalar } from '../graphql/scalars.js';
import { DEFAULT_MAX_ATTEMPTS, JobStatus, Priority } from './job.enums.js';

// A fresh object per property: MikroORM writes into the options it is given.
const ms = () => ({ type: 'datetime', length: 3 }) as const;

/**
 * A unit of work. Indexes: the claim index matches the engine's per-queue
 * `WHERE status = 'PENDING' AND queue = ? ORDER BY priority DESC, run_at, id` so a claim is a range
 * scan without filesort, and carries concurrency_key so skipping keys at their limit reads no rows;
 * the list indexes serve each `jobs` filter with its default sort.
 */
@ObjectType()
@Entity({ tableName: 'jobs' })
@Index({
  name: 'jobs_queue_claim_idx',
  columns: [
    { name: 'status' },
    { name: 'queue' },
    { name: 'priority', sort: 'DESC' },
    { name: 'run_at' },
    { name: 'id' },
    { name: 'concurrency_key' },
  ],
})
// Written at insert only (queue and created_at never change), so it costs the drain nothing.
@Index({ name: 'jobs_queue_created_idx', properties: ['queue', 'createdAt'] })
@Index({ name: 'jobs_status_created_idx', properties: ['status', 'createdAt'] })
@Index({ name: 'jobs_priority_created_idx', properties: ['priority', 'createdAt'] })
@Index({ name: 'jobs_status_priority_created_idx', properties: ['status', 'priority', 'createdAt'] })
@Index({ name: 'jobs_task_created_idx', properties: ['taskName', 'createdAt'] })
// The signature alone, not with completed_at: its entry (NULL until a job fails) then stays put at every other end.
@Index({ name: 'jobs_failure_signature_idx', properties: ['failureSignature'] })
@Unique({ name: 'jobs_schedule_tick_unique', properties: ['scheduleId', 'scheduleTickAt'] })
export class Job {
  [OptionalProps]?:
    | 'queue'
    | 'concurrencyKey'
    | 'priority'
    | 'status'
    | 'attempts'
    | 'maxAttempts'
    | 'snoozes'
    | 'simulated'
    | 'progress'
    | 'createdAt'
    | 'updatedAt'
    | 'runAt';

  @Field(() => ID)
  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @Field(() => String)
  @Property({ type: 'string', length: 255 })
  taskName!: string;

  @Field(() => String, { description: 'The queue it waits in: its limits and pause apply, and only workers serving it claim it' })
  @Property({ type: 'string', length: 64, default: 'default' })
  queue = 'default';

  @Field(() => String, {
    nullable: true,
    description: "Groups jobs (a customer id, say): at most the queue's keyConcurrency jobs of one key run at once",
  })
  @Property({ type: 'string', length: 128, nullable: true })
  concurrencyKey?: string | null;

  @Field(() => JSONScalar, { nullable: true })
  @Property({ type: 'json', nullable: true })
  payload?: Record<string, unknown> | null;

  @Field(() => Priority)
  @Property({ type: 'tinyint', default: Priority.LOW })
  priority: Priority = Priority.LOW;

  @Field(() => JobStatus)
  @Property({ type: 'string', length: 16, default: JobStatus.PENDING })
  status: JobStatus = JobStatus.PENDING;

  @Field(() => Int)
  @Property({ type: 'integer', default: 0 })
  attempts = 0;

  @Field(() => Int)
  @Property({ type: 'integer', default: DEFAULT_MAX_ATTEMPTS })
  maxAttempts = DEFAULT_MAX_ATTEMPTS;

  @Field(() => Boolean, {
    description:
      'True when the job was made for a task name no task had, and runs the seed simulation (development, or SIMULATE_UNKNOWN_TASKS)',
  })
  @Property({ type: 'boolean', default: false })
  simulated = false;

  /** Times a handler snoozed the job (`Snooze`): a snooze costs no attempt, up to MAX_SNOOZES. */
  @Property({ type: 'integer', default: 0 })
  snoozes = 0;

  @Field(() => String, { nullable: true })
  @Property({ type: 'text', nullable: true })
  lastError?: string | null;

  /** FAILED jobs only: the error class and normalized message that failureGroups groups by (jobs/failures/signature.ts). */
  @Property({ type: 'string', length: 255, nullable: true })
  failureSignature?: string | null;

  @Field(() => Float, { nullable: true, description: 'Share done, 0..1' })
  @Property({ type: 'double', default: 0 })
  progress = 0;

  @Field(() => JSONScalar, { nullable: true })
  @Property({ type: 'json', nullable: true })
  result?: unknown;

  @Field(() => DateTimeScalar)
  @Property(ms())
  runAt: Date = new Date();

  @Field(() => DateTimeScalar)
  @Property({ ...ms(), index: 'jobs_created_idx' })
  createdAt: Date = new Date();

  @Field(() => DateTimeScalar)
  @Property({ ...ms(), index: 'jobs_updated_idx', onUpdate: () => new Date() })
  updatedAt: Date = new Date();

  @Field(() => DateTimeScalar, { nullable: true })
  @Property({ ...ms(), nullable: true })
  startedAt?: Date | null;

  @Field(() => DateTimeScalar, { nullable: true })
  // Not indexed: the throughput chart reads job_throughput's counters, and every index here is written at each end.
  @Property({ ...ms(), nullable: true })
  completedAt?: Date | null;

  @Field(() => Int, { nullable: true })
  @Property({ type: 'integer', nullable: true })
  runDurationMs?: number | null;

  @Field(() => Int, { nullable: true })
  @Property({ type: 'integer', nullable: true })
  timeoutMs?: number | null;

  @Field(() => String, { nullable: true })
  @Property({ type: 'string', length: 2048, nullable: true })
  webhookUrl?: string | null;

  @Field(() => String, { nullable: true })
  @Unique({ name: 'jobs_idempotency_key_unique' })
  @Property({ type: 'string', length: 255, nullable: true })
  idempotencyKey?: string | null;

  @Field(() => ID, { nullable: true })
  @Property({ type: 'integer', nullable: true })
  scheduleId?: number | null;

  /** The cron tick that created this job; unique per schedule so concurrent schedulers create it once. */
  @Property({ ...ms(), nullable: true })
  scheduleTickAt?: Date | null;

  @Field(() => String, {
    nullable: true,
    description:
      'The worker (an id of `workers`) that ran its latest attempt, or runs it now; earlier failed attempts name theirs in `errors`',
  })
  @Property({ type: 'string', length: 64, nullable: true })
  worker?: string | null;

  /** Worker that holds the lease on a RUNNING job. */
  @Property({ type: 'string', length: 64, nullable: true })
  leaseOwner?: string | null;

  /** A RUNNING job whose lease expired belongs to a crashed worker and is returned to PENDING. */
  @Property({ ...ms(), nullable: true })
  leaseExpiresAt?: Date | null;
}
