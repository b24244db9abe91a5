import { Field, InputType } from 'type-graphql';
import { JSONScalar } from '../graphql/scalars.js';
import { Priority } from '../jobs/job.enums.js';
import { MisfirePolicy, OverlapPolicy } from './schedule.policies.js';

@InputType()
export class CreateScheduleInput {
  @Field(() => String, { description: 'Unique, 1–255 characters' })
  name!: string;

  @Field(() => String, { description: 'Cron pattern: 5 fields, or 6 with seconds first; e.g. "*/5 * * * *"' })
  cron!: string;

  @Field(() => String, { nullable: true, defaultValue: 'UTC', description: 'IANA timezone the pattern is read in' })
  timezone?: string;

  @Field(() => String)
  taskName!: string;

  @Field(() => JSONScalar, { nullable: true, description: 'Payload of every job it creates; a JSON object' })
  payload?: unknown;

  @Field(() => String, {
    nullable: true,
    description: "Queue of its jobs: 1–64 characters of [a-z0-9._-]; default the task's default queue",
  })
  queue?: string;

  @Field(() => Priority, { nullable: true, defaultValue: Priority.LOW })
  priority?: Priority;

  @Field(() => Boolean, { nullable: true, defaultValue: true })
  enabled?: boolean;

  @Field(() => OverlapPolicy, { nullable: true, defaultValue: OverlapPolicy.ALLOW })
  overlap?: OverlapPolicy;

  @Field(() => MisfirePolicy, { nullable: true, defaultValue: MisfirePolicy.RUN_ONCE })
  misfire?: MisfirePolicy;
}

@InputType()
export class UpdateScheduleInput {
  @Field(() => String, { nullable: true })
  cron?: string;

  @Field(() => String, { nullable: true })
  timezone?: string;

  @Field(() => String, { nullable: true })
  taskName?: string;

  @Field(() => JSONScalar, { nullable: true })
  payload?: unknown;

  @Field(() => String, { nullable: true, description: "null: back to the task's default queue" })
  queue?: string | null;

  @Field(() => Priority, { nullable: true })
  priority?: Priority;

  @Field(() => Boolean, { nullable: true })
  enabled?: boolean;

  @Field(() => OverlapPolicy, { nullable: true })
  overlap?: OverlapPolicy;

  @Field(() => MisfirePolicy, { nullable: true })
  misfire?: MisfirePolicy;
}
