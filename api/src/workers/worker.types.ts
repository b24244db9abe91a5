import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { DateTimeScalar, JSONScalar } from '../graphql/scalars.js';
import { Job } from '../jobs/job.entity.js';
import { JobLogLevel } from '../jobs/job-log.entity.js';

export enum WorkerKind {
  LOCAL = 'LOCAL',
  REMOTE = 'REMOTE',
}
registerEnumType(WorkerKind, {
  name: 'WorkerKind',
  description: "LOCAL: this product's own worker process; REMOTE: a service that registered over GraphQL",
});

export enum LeaseState {
  OK = 'OK',
  LOST = 'LOST',
  CANCEL_REQUESTED = 'CANCEL_REQUESTED',
}
registerEnumType(LeaseState, {
  name: 'LeaseState',
  description:
    'OK: still held (renewed); LOST: taken back, finished or deleted — stop and forget it; CANCEL_REQUESTED: the job was cancelled — abort the handler',
});

@ObjectType({ description: 'A worker process, local or remote, as it last reported' })
export class WorkerInfo {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  name!: string;

  @Field(() => String)
  host!: string;

  @Field(() => WorkerKind)
  kind!: WorkerKind;

  @Field(() => [String], { description: 'The queues it claims from; empty: every queue (a local worker without WORKER_QUEUES)' })
  queues!: string[];

  @Field(() => [String], { description: 'The tasks it runs' })
  tasks!: string[];

  @Field(() => Int)
  concurrency!: number;

  @Field(() => [ID], { description: 'Jobs RUNNING under its leases now' })
  runningJobIds!: number[];

  @Field(() => DateTimeScalar)
  startedAt!: Date;

  @Field(() => DateTimeScalar)
  lastHeartbeatAt!: Date;

  @Field(() => Boolean, { description: 'No heartbeat for LEASE_MS; removed from the list after 10 × LEASE_MS' })
  lost!: boolean;

  @Field(() => String, { nullable: true })
  version!: string | null;
}

@InputType()
export class RemoteTaskBackoffInput {
  @Field(() => String, { nullable: true, description: 'exponential or fixed' })
  kind?: string;

  @Field(() => Int, { nullable: true })
  baseMs?: number;

  @Field(() => Int, { nullable: true })
  maxMs?: number;

  @Field(() => Boolean, { nullable: true })
  jitter?: boolean;
}

@InputType({ description: "A task's defaults as a remote worker announces them (the ranges of a task module's defaults)" })
export class RemoteTaskDefaultsInput {
  @Field(() => Int, { nullable: true })
  maxAttempts?: number;

  @Field(() => Int, { nullable: true })
  timeoutMs?: number;

  @Field(() => String, {
    nullable: true,
    description: 'Where its jobs wait; a task only remote workers run: default `remote`, never `default`',
  })
  queue?: string;

  @Field(() => RemoteTaskBackoffInput, { nullable: true })
  backoff?: RemoteTaskBackoffInput;
}

@InputType({ description: 'A task a remote worker runs' })
export class RemoteTaskInput {
  @Field(() => String)
  name!: string;

  @Field(() => String, { nullable: true })
  description?: string;

  @Field(() => JSONScalar, { nullable: true, description: 'JSON Schema (draft-07) of the payload; createJob checks payloads against it' })
  payloadSchema?: unknown;

  @Field(() => RemoteTaskDefaultsInput, { nullable: true })
  defaults?: RemoteTaskDefaultsInput;
}

@InputType()
export class RegisterWorkerInput {
  @Field(() => String, { description: '1–255 characters; shown on the workers page' })
  name!: string;

  @Field(() => [RemoteTaskInput], { description: '1–100 tasks' })
  tasks!: RemoteTaskInput[];

  @Field(() => [String], { nullable: true, description: "Queues to claim from; default the queues of its tasks' defaults" })
  queues?: string[];

  @Field(() => Int, { nullable: true, defaultValue: 1, description: 'Leases it may hold at once, 1..1000' })
  concurrency?: number;

  @Field(() => String, { nullable: true, description: 'Its host name, for the workers page' })
  host?: string;

  @Field(() => String, { nullable: true, description: 'Its version, for the workers page' })
  version?: string;
}

@ObjectType({
  description: 'A claimed job: run it, then completeJob or failJob with the token before expiresAt (renewJobLeases extends it)',
})
export class JobLease {
  @Field(() => Job)
  job!: Job;

  @Field(() => String)
  token!: string;

  @Field(() => DateTimeScalar)
  expiresAt!: Date;
}

@ObjectType()
export class LeaseStatus {
  @Field(() => String)
  token!: string;

  @Field(() => LeaseState)
  status!: LeaseState;

  @Field(() => DateTimeScalar, { nullable: true, description: 'The new expiry when OK' })
  expiresAt!: Date | null;
}

@InputType()
export class JobFailureInput {
  @Field(() => String, { description: "Becomes the job's lastError (cut at 4,000 characters)" })
  message!: string;

  @Field(() => String, { nullable: true, description: 'Kept in Job.errors up to 8 KiB' })
  stack?: string;
}

@InputType()
export class JobLogLineInput {
  @Field(() => JobLogLevel, { nullable: true, defaultValue: JobLogLevel.INFO })
  level?: JobLogLevel;

  @Field(() => String)
  message!: string;

  @Field(() => JSONScalar, { nullable: true })
  data?: unknown;
}

@ObjectType({ description: 'A nudge: a job of a matching queue and task is due; claim it with claimJobs' })
export class JobsAvailable {
  @Field(() => String)
  queue!: string;

  @Field(() => String)
  taskName!: string;

  @Field(() => ID)
  jobId!: string;
}

@InputType()
export class JobCompletionInput {
  @Field(() => String, { description: 'The lease token from claimJobs' })
  token!: string;

  @Field(() => JSONScalar, { nullable: true })
  result?: unknown;
}

@ObjectType({ description: 'What became of one completion of completeJobs' })
export class JobCompletion {
  @Field(() => String)
  token!: string;

  @Field(() => Job, { nullable: true, description: 'The COMPLETED job; null when nothing was written' })
  job!: Job | null;

  @Field(() => String, {
    nullable: true,
    description: 'Why nothing was written (a stale lease: CONFLICT for completeJob); null when completed',
  })
  error!: string | null;
}
