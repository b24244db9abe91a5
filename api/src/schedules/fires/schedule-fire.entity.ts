import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { OptionalProps } from '@mikro-orm/core';
import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { DateTimeScalar } from '../../graphql/scalars.js';

/** What became of one cron tick. */
export enum FireOutcome {
  /** The tick's job was created (`jobId`). */
  CREATED = 'CREATED',
  /** No job: the previous job was still PENDING or RUNNING (overlap SKIP). */
  SKIPPED_OVERLAP = 'SKIPPED_OVERLAP',
  /** No job: no scheduler ran at the tick, and the misfire policy did not run it. */
  MISSED = 'MISSED',
  /** The one job misfire RUN_ONCE created for an outage, at its last missed tick (`jobId`). */
  CAUGHT_UP = 'CAUGHT_UP',
}

registerEnumType(FireOutcome, { name: 'ScheduleFireOutcome' });

/** One tick of a schedule as the scheduler handled it; the newest FIRES_KEPT per schedule are kept. */
@ObjectType()
@Entity({ tableName: 'schedule_fires' })
@Index({ name: 'schedule_fires_schedule_idx', properties: ['scheduleId', 'id'] })
export class ScheduleFire {
  [OptionalProps]?: 'jobId' | 'reason' | 'createdAt';

  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @Property({ type: 'integer' })
  scheduleId!: number;

  @Field(() => DateTimeScalar)
  @Property({ type: 'datetime', length: 3 })
  tickAt!: Date;

  @Field(() => FireOutcome)
  @Property({ type: 'string', length: 16 })
  outcome!: FireOutcome;

  @Field(() => ID, { nullable: true, description: 'The job the tick created (CREATED, CAUGHT_UP)' })
  @Property({ type: 'integer', nullable: true })
  jobId?: number | null;

  @Field(() => String, { nullable: true, description: 'Why no job was created, or what a catch-up stood for' })
  @Property({ type: 'string', length: 255, nullable: true })
  reason?: string | null;

  @Property({ type: 'datetime', length: 3 })
  createdAt: Date = new Date();
}
