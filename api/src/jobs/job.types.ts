import { Field, Int, ObjectType } from 'type-graphql';
import { Job } from './job.entity.js';

@ObjectType()
export class JobPage {
  @Field(() => [Job])
  jobs!: Job[];

  @Field(() => Int, { description: 'Jobs matching the filter, across all pages' })
  total!: number;

  @Field(() => Int)
  limit!: number;

  @Field(() => Int)
  offset!: number;
}

@ObjectType()
export class JobStats {
  @Field(() => Int) pending!: number;
  @Field(() => Int) running!: number;
  @Field(() => Int) completed!: number;
  @Field(() => Int) failed!: number;
  @Field(() => Int) cancelled!: number;
  @Field(() => Int) total!: number;
}
