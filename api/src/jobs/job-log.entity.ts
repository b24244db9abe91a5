import { Entity, PrimaryKey, Property, Unique } from '@mikro-orm/decorators/legacy';
import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { DateTimeScalar, JSONScalar } from '../graphql/scalars.js';

export enum JobLogLevel {
  DEBUG = 'DEBUG',
  INFO = 'INFO',
  WARN = 'WARN',
  ERROR = 'ERROR',
}
registerEnumType(JobLogLevel, { name: 'JobLogLevel' });

// A fresh object per property: MikroORM writes into the options it is given.
const ms = () => ({ type: 'datetime', length: 3 }) as const;

/**
 * One line a handler logged with `ctx.log`. `seq` orders a job's lines across its runs; seq 0 is
 * the marker that counts the oldest lines dropped past the per-job limit.
 */
@ObjectType({ description: "A line a job's handler logged" })
@Entity({ tableName: 'job_logs' })
@Unique({ name: 'job_logs_job_seq_unique', properties: ['jobId', 'seq'] })
export class JobLogLine {
  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @Field(() => ID)
  @Property({ type: 'integer' })
  jobId!: number;

  @Field(() => Int, { description: "Order within the job's lines (0: the marker of dropped lines)" })
  @Property({ type: 'integer' })
  seq!: number;

  @Field(() => DateTimeScalar)
  @Property(ms())
  at!: Date;

  @Field(() => JobLogLevel)
  @Property({ type: 'string', length: 8 })
  level!: JobLogLevel;

  @Field(() => String)
  @Property({ type: 'text' })
  message!: string;

  @Field(() => JSONScalar, { nullable: true })
  @Property({ type: 'json', nullable: true })
  data?: unknown;
}
