import { Field, Int, ObjectType } from 'type-graphql';

@ObjectType({ description: 'The job queue shared by every worker process' })
export class QueueInfo {
  @Field(() => String)
  name!: string;

  @Field(() => Boolean, { description: 'Paused: no worker claims new jobs; running ones finish' })
  paused!: boolean;

  @Field(() => Int, { description: 'Jobs one worker process runs at a time (WORKER_CONCURRENCY)' })
  concurrency!: number;

  @Field(() => Int, { description: 'Jobs RUNNING now, across all workers' })
  running!: number;

  @Field(() => Int, { description: 'Jobs PENDING now (due or scheduled later)' })
  pending!: number;
}
