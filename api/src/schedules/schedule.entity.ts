import { Entity, PrimaryKey, Property, Unique } from '@mikro-orm/decorators/legacy';
import { OptionalProps } from '@mikro-orm/core';
import { Field, ID, ObjectType } from 'type-graphql';
import { DateTimeScalar, JSONScalar } from '../graphql/scalars.js';
import { Priority } from '../jobs/job.enums.js';
import { MisfirePolicy, OverlapPolicy } from './schedule.policies.js';

// A fresh object per property: MikroORM writes into the options it is given.
const ms = () => ({ type: 'datetime', length: 3 }) as const;

/** A cron rule that creates one job per tick in its IANA timezone. */
@ObjectType()
@Entity({ tableName: 'schedules' })
export class Schedule {
  [OptionalProps]?: 'timezone' | 'queue' | 'priority' | 'enabled' | 'overlap' | 'misfire' | 'lastJobId' | 'createdAt' | 'updatedAt';

  @Field(() => ID)
  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @Field(() => String)
  @Unique({ name: 'schedules_name_unique' })
  @Property({ type: 'string', length: 255 })
  name!: string;

  @Field(() => String)
  @Property({ type: 'string', length: 255 })
  cron!: string;

  @Field(() => String)
  @Property({ type: 'string', length: 64, default: 'UTC' })
  timezone = 'UTC';

  @Field(() => String)
  @Property({ type: 'string', length: 255 })
  taskName!: string;

  @Field(() => JSONScalar, { nullable: true })
  @Property({ type: 'json', nullable: true })
  payload?: Record<string, unknown> | null;

  @Field(() => String, { description: "Queue of the jobs it creates: the input's, else the task's default queue, else default" })
  @Property({ type: 'string', length: 64, default: 'default' })
  queue = 'default';

  @Field(() => Priority)
  @Property({ type: 'tinyint', default: Priority.LOW })
  priority: Priority = Priority.LOW;

  @Field(() => Boolean)
  @Property({ type: 'boolean', default: true })
  enabled = true;

  @Field(() => OverlapPolicy, { description: 'ALLOW (default) or SKIP: no new job while the previous one is PENDING or RUNNING' })
  @Property({ type: 'string', length: 16, default: OverlapPolicy.ALLOW })
  overlap: OverlapPolicy = OverlapPolicy.ALLOW;

  @Field(() => MisfirePolicy, { description: 'What ticks missed while no scheduler ran become: RUN_ONCE (default), SKIP or RUN_ALL' })
  @Property({ type: 'string', length: 16, default: MisfirePolicy.RUN_ONCE })
  misfire: MisfirePolicy = MisfirePolicy.RUN_ONCE;

  /** The job it created last (a tick or a trigger): overlap SKIP waits for it to finish. */
  @Property({ type: 'integer', nullable: true })
  lastJobId?: number | null;

  @Field(() => DateTimeScalar, { nullable: true })
  @Property({ ...ms(), nullable: true, index: 'schedules_next_run_idx' })
  nextRunAt?: Date | null;

  @Field(() => DateTimeScalar, { nullable: true })
  @Property({ ...ms(), nullable: true })
  lastRunAt?: Date | null;

  @Field(() => DateTimeScalar)
  @Property(ms())
  createdAt: Date = new Date();

  @Field(() => DateTimeScalar)
  @Property({ ...ms(), onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
