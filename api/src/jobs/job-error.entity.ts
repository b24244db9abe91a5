import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { DateTimeScalar } from '../graphql/scalars.js';

// A fresh object per property: MikroORM writes into the options it is given.
const ms = () => ({ type: 'datetime', length: 3 }) as const;

/** One failed attempt of a job: written only when a run fails, so a successful run costs nothing here. */
@ObjectType({ description: 'A failed attempt: what it threw, where, and on which worker' })
@Entity({ tableName: 'job_errors' })
@Index({ name: 'job_errors_job_idx', properties: ['jobId', 'attempt'] })
export class JobError {
  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @Field(() => ID)
  @Property({ type: 'integer' })
  jobId!: number;

  @Field(() => Int, { description: 'The attempt that failed, 1-based' })
  @Property({ type: 'integer' })
  attempt!: number;

  @Field(() => DateTimeScalar)
  @Property(ms())
  at!: Date;

  @Field(() => String)
  @Property({ type: 'text' })
  message!: string;

  /** Resolved by `JobErrorResolver`: a viewer in production gets null. */
  @Property({ type: 'text', nullable: true })
  stack?: string | null;

  @Field(() => String, { nullable: true, description: 'Lease owner of the worker that ran the attempt' })
  @Property({ type: 'string', length: 128, nullable: true })
  worker?: string | null;
}
