import { Field, InputType, Int } from 'type-graphql';
import { DateTimeScalar, JSONScalar } from '../graphql/scalars.js';
import { JobStatus, Priority } from './job.enums.js';

@InputType()
export class JobFilter {
  @Field(() => JobStatus, { nullable: true })
  status?: JobStatus;

  @Field(() => Priority, { nullable: true })
  priority?: Priority;

  @Field(() => String, { nullable: true, description: 'Exact task name' })
  taskName?: string;

  @Field(() => String, { nullable: true, description: 'Exact queue name' })
  queue?: string;

  @Field(() => String, { nullable: true, description: 'Matches task name and payload text' })
  search?: string;
}

@InputType()
export class CreateJobInput {
  @Field(() => String)
  taskName!: string;

  @Field(() => JSONScalar, { nullable: true, description: 'A JSON object, at most 64 KiB serialized' })
  payload?: unknown;

  @Field(() => String, {
    nullable: true,
    description: "Queue to wait in: 1–64 characters of [a-z0-9._-]; default the task's default queue, else `default`",
  })
  queue?: string;

  @Field(() => String, {
    nullable: true,
    description: "Groups jobs (a customer id, say) for the queue's keyConcurrency limit; 1–128 characters",
  })
  concurrencyKey?: string;

  @Field(() => Priority, { nullable: true, defaultValue: Priority.LOW })
  priority?: Priority;

  @Field(() => DateTimeScalar, { nullable: true, description: 'When the job becomes due; default now' })
  runAt?: Date;

  @Field(() => Int, { nullable: true, description: '1..100, default 3' })
  maxAttempts?: number;

  @Field(() => Int, { nullable: true, description: 'Milliseconds a run may take before it fails' })
  timeoutMs?: number;

  @Field(() => String, { nullable: true, description: 'Overrides OUTBOUND_WEBHOOK for this job' })
  webhookUrl?: string;

  @Field(() => String, { nullable: true, description: 'A second create with the same key returns the first job' })
  idempotencyKey?: string;
}
